#!/usr/bin/env bash
# Create or update the hub's virtualenv (.venv/hub) from the pinned lock, then
# install the hub package itself and navpii (the masking of personal numbers, shared
# with the bot: packages/navpii) in editable mode. Safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${HUB_VENV:-$ROOT/.venv/hub}"
LOCK="$ROOT/requirements/hub.lock"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# The lock is fully pinned; pip only acts on what differs.
"$VENV/bin/python" -m pip install --quiet -r "$LOCK"
"$VENV/bin/python" -m pip install --quiet --no-deps -e "$ROOT/packages/navpii"
"$VENV/bin/python" -m pip install --quiet --no-deps -e "$ROOT/handoff"
echo "hub venv ready: $VENV"
