"""Talking to the hub: HTTP sign-in/out and the Socket.IO connection. Plain asyncio, no Qt."""
