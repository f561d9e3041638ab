#!/usr/bin/env bash
# Create or update the bot's virtualenv (.venv/bot): Rasa 3.6.21 and rasa-sdk 3.6.2
# on CPython 3.11 from the fully pinned lock. Both declare Requires-Python <3.11,
# and their numpy/scipy/TensorFlow pins hide behind python_version markers, so the
# lock is installed as-is with --no-deps --ignore-requires-python
# (docs/rasa-on-python-3.11.md). Safe to run again: does nothing if the lock is unchanged.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${BOT_VENV:-$ROOT/.venv/bot}"
LOCK="$ROOT/requirements/bot.lock"
STAMP="$VENV/.lock.sha256"
PYTHON="${PYTHON:-python3}"

want="$(sha256sum "$LOCK" | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    exit 0
fi
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip==24.3.1
"$VENV/bin/python" -m pip install --quiet --no-deps --ignore-requires-python -r "$LOCK"
echo "$want" > "$STAMP"
echo "bot venv ready: $VENV"
