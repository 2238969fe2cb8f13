"""lan-notify hub: an authenticated, durable Socket.IO notification server."""

from importlib.metadata import PackageNotFoundError, version

try:
    #: The installed distribution's version (pyproject.toml is its one source).
    __version__ = version("lan-notify")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
