"""`notify-hub`, the hub's command line: run the hub, administer its store, send, make TLS files."""

from hub.cli.main import main

__all__ = ["main"]
