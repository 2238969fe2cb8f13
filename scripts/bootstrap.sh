#!/usr/bin/env bash
# Set up everything `make run` and `make test` need on a fresh Debian machine, installing only
# what is missing: Debian packages (when root), the virtualenv with the project and its extras,
# and the npm packages the tests and benchmarks use. Safe to run again: a set-up machine pays ~1 s.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
EXTRAS=${EXTRAS:-desktop,test,redis,postgres,bench}

# Debian packages: Qt's libraries (offscreen and on X), a virtual screen, a tray host and xdotool (real typing
# and clicks in the end-to-end tests), a D-Bus session with a real Secret Service keyring, a real notification
# service (dunst, for system notifications), the servers the scale-out tests start themselves, the packaging
# checks' tools (desktop-file-validate, systemd-analyze), `ip` for the LAN-discovery test's own network
# namespace, and the browser the web app's tests drive (~430 MB; Playwright drives it, never a browser of its
# own). The README's commands also need curl (its script example) and pipx (its install), and the virtualenv
# below needs python3-venv (Debian's python3 has no ensurepip without it).
DEBS=(
  libgl1 libegl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3
  libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  xvfb xauth trayer xdotool dbus-daemon gnome-keyring dunst
  fonts-noto-color-emoji  # emoji in toasts and the history, in colour rather than empty boxes
  redis-server postgresql
  desktop-file-utils systemd iproute2
  curl pipx python3-venv
  chromium
)
command -v node >/dev/null 2>&1 || DEBS+=(nodejs)
command -v npm >/dev/null 2>&1 || DEBS+=(npm)

missing=()
for pkg in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bootstrap: warning: these Debian packages are missing and I am not root: ${missing[*]}" >&2
    echo "bootstrap: install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  fi
fi

# The virtualenv, reinstalled only when pyproject.toml changed.
if [ ! -x "$VENV/bin/python" ]; then
  echo "bootstrap: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $EXTRAS"
if [ "$(cat "$VENV/.setup-stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: installing lan-notify[$EXTRAS] into $VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[$EXTRAS]"
  echo "$want" > "$VENV/.setup-stamp"
fi

# npm packages: the Socket.IO browser client the hub serves and ships in its wheel (hub/browser/vendor),
# and those of the JavaScript-client tests and the benchmark peers.
for dir in hub/browser/vendor tests/js bench/peers/seed-node bench/loadgen; do
  if [ -f "$dir/package.json" ] && [ ! -d "$dir/node_modules" ]; then
    echo "bootstrap: npm packages in $dir"
    if [ -f "$dir/package-lock.json" ]; then
      npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    else
      npm install --prefix "$dir" --no-audit --no-fund --loglevel=error
    fi
  fi
done
