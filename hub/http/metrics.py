"""`GET /metrics`: the hub's figures in the Prometheus text format (hub/metrics.py collects them)."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from hub.app_keys import METRICS


async def metrics_endpoint(request: web.Request) -> web.Response:
    body = request.app[METRICS].exposition()
    response = web.Response(body=body)
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response
