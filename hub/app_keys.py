"""Every key of the hub's `web.Application` state, in one place.

The value types are imported for type checking only, so this module imports nothing of the hub at
run time: any module can take a key from here without an import cycle, and redis stays optional.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from redis import asyncio as aioredis

    from hub.auth import Accounts
    from hub.auth.login_limits import LoginLimits
    from hub.cluster.bus import ClusterBus
    from hub.config import HubConfig
    from hub.delivery import Delivery
    from hub.http.body_reads import BodyReads
    from hub.http.web_guard import WebGuard
    from hub.metrics import HubMetrics
    from hub.store import Store
    from hub.transport.admission import Gate
    from hub.transport.layer import TransportLayer

#: The settings the hub was started with.
CONFIG: web.AppKey[HubConfig] = web.AppKey("config")
#: `time.monotonic()` when the app was made (the health endpoint's uptime).
STARTED: web.AppKey[float] = web.AppKey("started")
STORE: web.AppKey[Store] = web.AppKey("store")
ACCOUNTS: web.AppKey[Accounts] = web.AppKey("accounts")
#: Delivery: sends, rooms, presence, replay.
SERVICE: web.AppKey[Delivery] = web.AppKey("service")
#: The Socket.IO connections and their event handlers.
SOCKETS: web.AppKey[TransportLayer] = web.AppKey("sockets")
METRICS: web.AppKey[HubMetrics] = web.AppKey("metrics")
#: The Redis client of a clustered hub (absent on a single hub).
CLUSTER_REDIS: web.AppKey[aioredis.Redis] = web.AppKey("cluster_redis")
#: The bus that carries batches and presence between the hubs of a cluster (absent on a single hub).
CLUSTER_BUS: web.AppKey[ClusterBus] = web.AppKey("cluster_bus")
#: The sign-in limits (per address and per user name), kept in Redis on a cluster.
LOGIN_LIMITS: web.AppKey[LoginLimits] = web.AppKey("login_limits")
#: The connections of the hub, by address, and the decision on each new one.
GATE: web.AppKey[Gate] = web.AppKey("gate")
#: The allowed hosts and origins (Host and Origin checks).
GUARD: web.AppKey[WebGuard] = web.AppKey("web_guard")
#: The requests reading a body right now (cut short on shutdown).
BODY_READS: web.AppKey[BodyReads] = web.AppKey("body_reads")
