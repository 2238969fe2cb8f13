"""Several hubs as one: a Redis channel between the hubs, Redis for presence and limits, PostgreSQL as
the shared store. See docs/deployment.md."""

from __future__ import annotations

from hub.cluster.bus import ClusterBus
from hub.cluster.context import cluster_ctx
from hub.cluster.node import ClusterNode

__all__ = ["ClusterBus", "ClusterNode", "cluster_ctx"]
