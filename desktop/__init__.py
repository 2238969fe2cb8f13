"""The lan-notify tray app.

`net/` talks to the hub and `core/` holds the app's logic; neither imports Qt. `ui/` holds thin
widgets and `app.py` wires everything on one qasync loop.
"""
