#!/usr/bin/env bash
# Set up everything `make run` and `make test` need on a fresh Debian machine, installing only
# what is missing: Debian packages (when root), the virtualenv with the project and its extras,
# and the npm packages the tests and benchmarks use. Safe to run again: a set-up machine pays ~1 s.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
# All the extras: the lock (requirements/) holds them all.
LOCKED_EXTRAS=desktop,test,redis,postgres,bench
EXTRAS=${EXTRAS:-$LOCKED_EXTRAS}

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

# The virtualenv. Where a lock exists for this interpreter and platform (requirements/cp311-linux-x86_64.txt
# on CPython 3.11, Linux x86_64: scripts/lock.sh makes it), every package comes from it: the exact release, each
# file checked against its hash (pip --require-hashes), pip itself first. Then the project, editable, without
# dependencies and built by the locked setuptools. Without a lock for this machine, or with EXTRAS other than all
# of them, it installs from pyproject.toml's ranges and says so; with CI=true a missing lock fails instead.
# Reinstalled only when pyproject.toml, the lock or EXTRAS changed (the stamp). pip's cache stays on: a second
# virtualenv downloads nothing, and the hashes are checked against the cached files all the same.
if [ ! -x "$VENV/bin/python" ]; then
  echo "bootstrap: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
lock=$("$VENV/bin/python" scripts/lock_name.py)
if [ -f "$lock" ] && [ "$EXTRAS" = "$LOCKED_EXTRAS" ]; then
  how="lock $lock"
elif [ -f "$lock" ]; then
  how="ranges"
  echo "bootstrap: EXTRAS=$EXTRAS is not what $lock holds ($LOCKED_EXTRAS): installing from pyproject.toml's ranges"
elif [[ "${CI:-}" =~ ^(1|true|TRUE|True|yes)$ ]]; then
  echo "bootstrap: no lock for this Python: $lock is missing (CI=true: run scripts/lock.sh here)" >&2
  exit 1
else
  how="ranges"
  echo "bootstrap: warning: no lock for this Python: $lock does not exist" >&2
  echo "bootstrap: installing from pyproject.toml's ranges instead; scripts/lock.sh makes a lock for it" >&2
fi
pip=("$VENV/bin/python" -m pip install -q --disable-pip-version-check)
# PYTHONWARNINGS below: setuptools warns on every editable install that a folder named like the package could
# shadow it, which is how this repository is laid out.
inputs=(pyproject.toml)
[ "$how" = ranges ] || inputs+=("$lock")
want="$(cat "${inputs[@]}" | sha256sum | cut -d' ' -f1) $EXTRAS $how"
if [ "$(cat "$VENV/.setup-stamp" 2>/dev/null)" != "$want" ]; then
  if [ "$how" = ranges ]; then
    echo "bootstrap: installing lan-notify[$EXTRAS] into $VENV"
    "${pip[@]}" --upgrade pip
    PYTHONWARNINGS="ignore:Editable installation" "${pip[@]}" -e ".[$EXTRAS]"
  else
    echo "bootstrap: installing lan-notify[$EXTRAS] into $VENV from $lock"
    pip_only="$VENV/.lock-pip.txt"  # pip's own entry of the lock: pip upgrades itself before the rest
    awk '/^pip==/ { found = 1 } found { print; if ($0 !~ /\\$/) exit }' "$lock" >"$pip_only"
    "${pip[@]}" --require-hashes --no-deps -r "$pip_only"
    rm "$pip_only"
    "${pip[@]}" --require-hashes -r "$lock"
    PYTHONWARNINGS="ignore:Editable installation" "${pip[@]}" --no-deps --no-build-isolation -e .
  fi
  echo "$want" >"$VENV/.setup-stamp"
fi

# npm packages: the Socket.IO browser client the hub serves and ships in its wheel (hub/http/browser/vendor),
# and those of the JavaScript-client tests and the benchmark peers. Each folder installs from its
# package-lock.json with `npm ci` (the locked releases, checked against their integrity hashes), and again
# whenever that lock changed (a stamp in node_modules).
for dir in hub/http/browser/vendor tests/js bench/peers/seed-node bench/loadgen; do
  if [ ! -f "$dir/package-lock.json" ]; then
    echo "bootstrap: $dir has no package-lock.json: run npm install --prefix $dir and commit it" >&2
    exit 1
  fi
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$dir/node_modules/.setup-stamp" 2>/dev/null)" != "$want" ]; then
    echo "bootstrap: npm packages in $dir"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    echo "$want" >"$dir/node_modules/.setup-stamp"
  fi
done
