"""Talking to the hub: sign-in over HTTP, the Socket.IO connection and what it delivers, LAN discovery, and the
session of one signed-in hub + user. Plain asyncio, no Qt."""
