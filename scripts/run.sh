#!/usr/bin/env bash
# `make run`: the tray app hosting its own hub, signed in as you, ready to send yourself a message.
# On a machine without a display (no DISPLAY / WAYLAND_DISPLAY) it says so and runs the hub alone.
# Extra arguments go to notify-tray (with a display) or to `notify-hub serve` (without one).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${LAN_NOTIFY_PORT:-8765}

if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
  cat <<MSG >&2
lan-notify: starting the tray app, hosting a hub on this computer (port $PORT, every interface).
  - You are signed in as the local admin; the hub's LAN address is in the tray menu.
  - "Send message…" in the tray menu: send yourself one to see a toast.
  - "Invite teammate…" makes a user with a one-time password for a teammate's notify-tray.
  - Quit from the tray menu (or Ctrl+C here) stops the app and the hub cleanly.
MSG
  exec .venv/bin/python -m desktop.app --host --host-port "$PORT" "$@"
fi

# A port that is taken is said before anything else (the hub would say it too, after the instructions).
if ! .venv/bin/python -m hub.portcheck "$PORT"; then
  exit 1
fi

# notify-hub's own default store: the hub the tray app hosts with a display uses it too, and the
# admin commands printed below act on it.
export LAN_NOTIFY_DATA_DIR=${LAN_NOTIFY_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/lan-notify/hub}
HUB=http://127.0.0.1:$PORT
cat <<MSG
No display here (DISPLAY and WAYLAND_DISPLAY are unset), so no tray app: running the hub alone.
Its data is in $LAN_NOTIFY_DATA_DIR; it says below when it listens.

Try it from another terminal (in this folder):
  .venv/bin/notify-hub user add alice --admin      # prints alice's password
  .venv/bin/notify-hub user add bob                # prints bob's password
  ALICE=\$(.venv/bin/notify-hub token create alice --label demo)
  BOB=\$(.venv/bin/notify-hub token create bob --label demo)
  .venv/bin/python examples/listen.py $HUB "\$BOB" &            # bob listens
  .venv/bin/python examples/send.py $HUB "\$ALICE" bob "Hello"  # alice sends

Ctrl+C stops the hub cleanly.

MSG
exec .venv/bin/notify-hub serve --port "$PORT" "$@"
