"""Several hubs as one: python-socketio's Redis manager for fan-out, Redis for presence and limits,
PostgreSQL as the shared store. See docs/deployment.md."""

from __future__ import annotations

from hub.cluster.manager import CLUSTER_REDIS, ClusterManager, cluster_ctx
from hub.cluster.node import ClusterNode

__all__ = ["CLUSTER_REDIS", "ClusterManager", "ClusterNode", "cluster_ctx"]
