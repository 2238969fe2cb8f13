"""The hub over HTTP: the API, `/metrics`, what browsers are served, and JSON errors for the rest.

`add_routes` adds every route; the Engine.IO request path and `create_app` also use the checks every
request passes (`WebGuard`: its `Host` and `Origin`), the API's refusal as an exception (`Refusal`)
and the bounded body reader (`BodyReads`, `read_bounded`). Engine.IO is served over HTTP, so
hub.transport imports from here and nothing here imports hub.transport.
"""

from hub.http.body_reads import BodyReads, read_bounded
from hub.http.errors import Refusal
from hub.http.routes import add_routes
from hub.http.web_guard import WebGuard, learn_names, local_names

__all__ = ["BodyReads", "Refusal", "WebGuard", "add_routes", "learn_names", "local_names", "read_bounded"]
