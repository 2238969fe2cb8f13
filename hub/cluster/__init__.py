"""Several hubs as one: python-socketio's Redis manager for fan-out, Redis for presence and limits,
PostgreSQL as the shared store. See docs/deployment.md."""

from __future__ import annotations

from hub.cluster.manager import ClusterManager, cluster_ctx
from hub.cluster.service import ClusterService

__all__ = ["ClusterManager", "ClusterService", "cluster_ctx"]
