"""The app and its computer, without Qt: the keyring, a hub hosted in-process, starting at login, the
app-menu entry, sounds, the desktop's notification service (D-Bus), and the `--report` lines."""
