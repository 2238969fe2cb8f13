"""The lan-notify tray app (`notify-tray`), laid out by the Qt line.

Without Qt (they import without loading PySide6):

- `core/`: the app's logic and state: connection states, unread counts, the toast policy, do not disturb,
  compose, the directory of people and rooms, trust decisions, preferences, the local history;
- `net/`: talking to the hub: sign-in over HTTP, the Socket.IO connection (`HubClient`), LAN discovery,
  and `HubSession`, one signed-in hub + user;
- `system/`: this computer: the keyring, a hub hosted in-process, starting at login, the app-menu entry,
  sounds, the desktop's notification service (D-Bus), the `--report` lines;
- `errors.py`: the app's exceptions, one tree.

With Qt:

- `ui/`: thin widgets: they show what they are given and emit what the user asked for;
- `app/`: `main` (the flags, one instance per data directory, the qasync loop), `TrayApp` (the composition
  root) and the flows that wire widgets to the logic.

A package imports only the ones above it (`net` and `system` use `core`; `ui` uses `core` and `net`; `app`
uses them all); tests/desktop/test_no_qt.py holds the line.
"""
