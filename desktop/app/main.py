"""`notify-tray`: the command line, and the one place where qasync starts.

`TrayApp` (desktop/app/tray_app.py) wires the widgets to the logic; this module parses the flags,
makes sure one instance runs per data directory (a second start hands its command to the first),
and runs the app on a `qasync.QEventLoop`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from PySide6.QtCore import QSettings, QStandardPaths, QTimer
from PySide6.QtNetwork import QNetworkInformation
from PySide6.QtWidgets import QApplication

from desktop.app.posix_signals import PosixSignalWatcher
from desktop.app.single_instance import SingleInstance, instance_name
from desktop.app.tray_app import TrayApp
from desktop.core.preferences import Preferences
from desktop.system import autostart, desktop_entry
from desktop.system.credentials import KeyringCredentialStore, SessionFallbackStore
from desktop.system.hosting import default_hub_dir
from desktop.system.notifications import DesktopNotifications
from desktop.system.report import Reporter
from desktop.ui.fonts import use_colour_emoji
from desktop.ui.settings_dialog import TABS
from hub import __version__, logs

__all__ = ["main", "parse_args"]

log = logging.getLogger("desktop.app")


def watch_network(app: TrayApp) -> None:
    """Reconnect at once when the OS reports the network back (after sleep, Wi-Fi...), if Qt can tell."""
    if not QNetworkInformation.loadDefaultBackend():
        log.debug("no network information backend: reconnects follow the backoff only")
        return
    info = QNetworkInformation.instance()
    if info is not None:
        info.reachabilityChanged.connect(
            lambda reachability: app.status.network_changed(reachability == QNetworkInformation.Reachability.Online)
        )


def wants_hosting(args: argparse.Namespace) -> bool:
    return bool(args.host or args.host_interface is not None or args.host_port is not None)


def handed_command(args: argparse.Namespace) -> str:
    """The command line's request for the app, as one line ("compose bob"), or "": a first start does it once
    it is up, a second start hands it to the app already running."""
    if args.compose is not None:
        return f"compose {args.compose}".strip()
    if args.dnd:
        return f"dnd {args.dnd}"
    if args.show_menu is not None:
        return f"menu {args.show_menu}".strip()
    if args.settings is not None:
        return f"settings {args.settings}".strip()
    if args.scheduled:
        return "scheduled"
    return ""


def request_for_running_app(args: argparse.Namespace) -> str:
    """What a second start hands to the app already running ("": come forward). Asked to host, it hosts (or
    shows its hub's window); a first start hosts by itself."""
    return handed_command(args) or ("host" if wants_hosting(args) else "")


def _default_data_dir() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(location) if location else Path.home() / ".local" / "share" / "lan-notify"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def build_parser() -> argparse.ArgumentParser:
    """The flags of `notify-tray` (docs/desktop.md lists them; a test keeps the two in step)."""
    parser = argparse.ArgumentParser(prog="notify-tray", description="The lan-notify tray app.")
    parser.add_argument("--data-dir", type=Path, help="where the local history lives (default: the OS app data dir)")
    parser.add_argument("--report", type=Path, help="append JSON lines of what the app shows here ('-': stdout)")
    parser.add_argument("--no-tray", action="store_true", help="show the status window even if a tray exists")
    parser.add_argument("--keyring-timeout", type=float, default=10.0, help="seconds to wait for the OS keyring")
    parser.add_argument(
        "--ca-file", type=Path, metavar="FILE", help="trust https hubs through this CA/certificate file (tls/ca_file)"
    )
    host = parser.add_argument_group("hosting a hub on this computer")
    host.add_argument("--host", action="store_true", help="host the hub in this app, signed in as the local admin")
    host.add_argument("--host-interface", metavar="ADDRESS", help="address the hosted hub listens on (default 0.0.0.0)")
    host.add_argument("--host-port", type=int, metavar="PORT", help="TCP port of the hosted hub (default 8765; 0: any)")
    running = parser.add_argument_group("commands for the running app (started again with one of these)")
    running.add_argument(
        "--compose", nargs="?", const="", metavar="TO", help="open the compose dialog (to a user or #room)"
    )
    running.add_argument("--dnd", choices=["on", "hour", "tomorrow", "off"], help="do not disturb: on, for an hour...")
    running.add_argument(
        "--show-menu", nargs="?", const="", choices=["", "rooms", "online", "dnd"], metavar="SUBMENU",
        help="pop up the menu (or its rooms, online or dnd part)",
    )  # fmt: skip
    running.add_argument(
        "--settings", nargs="?", const="", choices=["", *TABS], metavar="TAB",
        help="open the settings dialog (at its account, notifications or hosting tab)",
    )  # fmt: skip
    running.add_argument("--scheduled", action="store_true", help="open the list of scheduled sends (to cancel one)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    parser.add_argument("--version", action="version", version=f"lan-notify {__version__}")
    menu = parser.add_argument_group("the app-menu entry (freedesktop: Linux and other Unix desktops)")
    entry = menu.add_mutually_exclusive_group()
    entry.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="add lan-notify to the desktop's app menu (a .desktop file and the icon, in $XDG_DATA_HOME) and exit",
    )
    entry.add_argument(
        "--uninstall-desktop-entry", action="store_true", help="remove the app-menu entry and its icon, and exit"
    )
    return parser


def _desktop_entry(install: bool) -> int:
    if install:
        files = desktop_entry.install()
        print(f"notify-tray: added to the app menu: {files.entry} (icon {files.icon})", file=sys.stderr)
        return 0
    removed = desktop_entry.uninstall(keep_icon=autostart.enabled())  # the login entry still shows the icon
    gone = ", ".join(str(path) for path in removed) if removed else "there was none"
    print(f"notify-tray: removed the app-menu entry: {gone}", file=sys.stderr)
    return 0


def configure_logging(verbose: bool, stream: TextIO | None = None) -> Callable[[], None]:
    """Log lines to `stream` (stderr), written by a thread of their own as the hub's are (`hub.logs`):
    the UI's event loop never waits for a reader that is behind, e.g. `notify-tray | less`. Returns
    the function that stops the writer, writing what still waits."""
    stop = logs.configure("debug" if verbose else "info", "text", stream)  # a hosted hub's packet lines too
    # The client's per-packet lines (with -v they show).
    for name in ("socketio", "engineio", "desktop.net.socketio"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)
    return stop


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("QT_API", "pyside6")  # qasync would prefer PyQt6 if it were installed
    args = parse_args(argv)
    if args.install_desktop_entry or args.uninstall_desktop_entry:
        return _desktop_entry(args.install_desktop_entry)
    stop_logging = configure_logging(args.verbose)
    try:
        return _run(args)
    finally:
        stop_logging()


def _run(args: argparse.Namespace) -> int:
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    qapp.setOrganizationName("lan-notify")
    qapp.setApplicationName("notify-tray")
    qapp.setQuitOnLastWindowClosed(False)
    if use_colour_emoji() is None:
        log.warning("no colour emoji font: emoji show as empty boxes (Debian: apt install fonts-noto-color-emoji)")
    data_dir: Path = args.data_dir or _default_data_dir()

    command = handed_command(args)
    handed = request_for_running_app(args)
    instance = SingleInstance(instance_name(str(data_dir.resolve())))
    if instance.notify_running(handed or "show"):
        print(f"notify-tray is already running: {'passed on ' + repr(handed) if handed else 'brought it forward'}.",
              file=sys.stderr)  # fmt: skip
        return 0
    instance.listen()

    import qasync  # imported late: QT_API must be set first

    report_stream: TextIO | None = None
    if args.report is not None:
        report_stream = sys.stdout if str(args.report) == "-" else args.report.open("a", encoding="utf-8")
    try:
        with qasync.QEventLoop(qapp) as loop:
            credentials = SessionFallbackStore(KeyringCredentialStore(timeout=args.keyring_timeout))
            app = TrayApp(
                qapp,
                data_dir=data_dir,
                preferences=Preferences(QSettings("lan-notify", "notify-tray")),
                credentials=credentials,
                reporter=Reporter(report_stream),
                use_tray=False if args.no_tray else None,
                host=wants_hosting(args),
                host_interface=args.host_interface,
                host_port=args.host_port,
                # A hosted hub's store: DIR/hub with --data-dir DIR, else where `notify-hub` keeps it too.
                host_data_dir=args.data_dir / "hub" if args.data_dir else default_hub_dir(),
                ca_file=args.ca_file,
                notification_service=lambda activate: DesktopNotifications.connect(activate=activate),
            )
            instance.activation_requested.connect(app.commands.bring_forward)
            instance.command_received.connect(app.commands.run)
            if command:
                QTimer.singleShot(0, lambda: app.commands.run(command))
            watcher = PosixSignalWatcher(lambda: app.tasks.spawn(app.quit()), app)
            watcher.install()
            watch_network(app)
            loop.run_until_complete(app.run())
    finally:
        instance.close()
        if report_stream is not None and report_stream is not sys.stdout:
            report_stream.close()
    return 0
