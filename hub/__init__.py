"""lan-notify hub: an authenticated, durable Socket.IO notification server."""

__version__ = "0.1.0"
