"""The hub over HTTP: the API, `/metrics`, what browsers are served, and JSON errors for the rest.

`add_routes` adds every route; the Engine.IO request path and `create_app` also use the checks every
request passes (`WebGuard`: its `Host` and `Origin`) and the API's refusal as an exception (`Refusal`).
"""

from hub.http.errors import Refusal
from hub.http.routes import add_routes
from hub.http.web_guard import WebGuard, learn_names, local_names

__all__ = ["Refusal", "WebGuard", "add_routes", "learn_names", "local_names"]
