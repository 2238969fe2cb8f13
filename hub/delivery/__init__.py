"""Delivery: who may send what to whom, the durable pipeline, fan-out, replay, cursors, presence, limits."""

from __future__ import annotations

from hub.delivery.fanout import Fanout
from hub.delivery.jobs import BackgroundJobs
from hub.delivery.limits import MembershipLimits, SendLimits
from hub.delivery.ports import Extension, Outbox, Outlet, PresenceNews
from hub.delivery.presence import Presence
from hub.delivery.service import Delivery
from hub.delivery.sessions import Actor, Session

__all__ = [
    "Actor",
    "BackgroundJobs",
    "Delivery",
    "Extension",
    "Fanout",
    "MembershipLimits",
    "Outbox",
    "Outlet",
    "Presence",
    "PresenceNews",
    "SendLimits",
    "Session",
]
