#!/usr/bin/env bash
# `make run`: start a hub on 127.0.0.1 with its SQLite store under the data directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export LAN_NOTIFY_DATA_DIR=${LAN_NOTIFY_DATA_DIR:-$HOME/.local/share/lan-notify/hub}
PORT=${LAN_NOTIFY_PORT:-8765}
HUB=http://127.0.0.1:$PORT
cat <<MSG
lan-notify hub: data in $LAN_NOTIFY_DATA_DIR, listening on $HUB

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
