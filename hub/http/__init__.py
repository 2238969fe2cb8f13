"""The hub over HTTP: the API, `/metrics`, what browsers are served, and JSON errors for the rest."""

from hub.http.routes import add_routes

__all__ = ["add_routes"]
