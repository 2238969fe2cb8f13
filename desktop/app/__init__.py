"""The Qt side that is not a widget: `main` (the command line, and the one place where qasync starts),
the composition root `TrayApp`, and the flows that wire the widgets of `desktop.ui` to the Qt-free logic of
`desktop.core`, `desktop.net` and `desktop.system`."""

from desktop.app.main import main
from desktop.app.tray_app import TrayApp

__all__ = ["TrayApp", "main"]
