"""The hub's transport: Engine.IO and Socket.IO on aiohttp, from the TCP connection to the events.

Events come in from clients' connections and frames go out to them; what a notification means is
the delivery's business, not this package's.
"""
