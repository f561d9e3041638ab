#!/usr/bin/env bash
# Create or update the bot's virtualenv (.venv/bot): Rasa 3.6.21 and rasa-sdk 3.6.2
# on CPython 3.11 from the fully pinned lock. Both declare Requires-Python <3.11,
# and their numpy/scipy/TensorFlow pins hide behind python_version markers, so the
# lock is installed as-is with --no-deps --ignore-requires-python
# (docs/rasa-on-python-3.11.md). navpii, the masking of personal numbers shared with
# the hub (packages/navpii, standard library only), is installed in editable mode.
# Safe to run again: does nothing if the lock and navpii's pyproject.toml are unchanged.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${BOT_VENV:-$ROOT/.venv/bot}"
LOCK="$ROOT/requirements/bot.lock"
NAVPII="$ROOT/packages/navpii"
STAMP="$VENV/.lock.sha256"
PYTHON="${PYTHON:-python3}"

want="$(cat "$LOCK" "$NAVPII/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    exit 0
fi
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip==24.3.1
"$VENV/bin/python" -m pip install --quiet --no-deps --ignore-requires-python -r "$LOCK"
"$VENV/bin/python" -m pip install --quiet --no-deps -e "$NAVPII"
echo "$want" > "$STAMP"
echo "bot venv ready: $VENV"
