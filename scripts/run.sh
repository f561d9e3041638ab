#!/usr/bin/env bash
# Run the whole system on this machine: action server, Rasa, and the hub (which
# serves the demo page, the widget and the advisor console). Ctrl+C stops all.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${PORT:-8000}"
RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
CONTENT_PORT="${CONTENT_PORT:-5056}"
NLG_PORT="${NLG_PORT:-5057}"
export HUB_BOT_SECRET="${HUB_BOT_SECRET:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')}"
# The action server answers only Rasa, which sends this token (endpoints.yml).
export ACTION_SERVER_TOKEN="${ACTION_SERVER_TOKEN:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')}"
# The NLG server (the published texts) answers only Rasa too, with its own token.
export NLG_SERVER_TOKEN="${NLG_SERVER_TOKEN:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')}"
export HUB_URL="http://127.0.0.1:$PORT"
export HUB_RASA_URL="http://127.0.0.1:$RASA_PORT"
# The content service (editors change answers and publish) shares a token with the hub.
export NAV_CONTENT_TOKEN="${NAV_CONTENT_TOKEN:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')}"
export HUB_CONTENT_URL="http://127.0.0.1:$CONTENT_PORT" HUB_CONTENT_TOKEN="$NAV_CONTENT_TOKEN"
export HUB_WEB_DIR="${HUB_WEB_DIR:-$ROOT/handoff/web/dist}"
export HUB_DATABASE_URL="${HUB_DATABASE_URL:-sqlite:///$ROOT/.cache/hub.db}"
# The demo answers around the clock; set HUB_ALWAYS_OPEN=false for real opening hours.
export HUB_ALWAYS_OPEN="${HUB_ALWAYS_OPEN:-true}"
export TF_CPP_MIN_LOG_LEVEL=3 PYTHONWARNINGS=ignore
# The sentence encoder's threads: sleeping, one (bot/__init__.py says why); its int8 file,
# built once, in the project's cache as for training (bot/paths.py).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export NAV_ENCODER_FOLDER="${NAV_ENCODER_FOLDER:-$ROOT/.cache/encoder}"
mkdir -p .cache/logs

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# On 127.0.0.1 only, with its token (bot/runtime/action_server.py), not `rasa run actions`.
.venv/bot/bin/python -m bot.runtime.action_server --port "$ACTIONS_PORT" > .cache/logs/actions.log 2>&1 &
pids+=($!)
# `make train` just made models/nav.tar.gz from the project's content: record that, and make
# its texts the live ones (a text-only publish then needs no training; bot/release/stamp.py).
.venv/bot/bin/python -m bot.release.stamp --model models/nav.tar.gz
# Every bot message is rendered from those texts (bot/runtime/nlg_server.py).
.venv/bot/bin/python -m bot.runtime.nlg_server --port "$NLG_PORT" --texts models/nav.texts.json \
    > .cache/logs/nlg.log 2>&1 &
pids+=($!)
sed -e "s#http://127.0.0.1:5055/webhook#http://127.0.0.1:$ACTIONS_PORT/webhook#" \
    -e "s#http://127.0.0.1:5057/nlg#http://127.0.0.1:$NLG_PORT/nlg#" endpoints.yml > .cache/endpoints.run.yml
.venv/bot/bin/rasa run --enable-api -i 127.0.0.1 --port "$RASA_PORT" -m models/nav.tar.gz \
    --endpoints .cache/endpoints.run.yml --credentials credentials.yml > .cache/logs/rasa.log 2>&1 &
pids+=($!)

.venv/bot/bin/python -m bot.content.service --port "$CONTENT_PORT" --rasa-url "$HUB_RASA_URL" \
    > .cache/logs/content.log 2>&1 &
pids+=($!)

# A demo advisor, once: user "veileder", password "veileder123" (change it for real use).
# (Fails harmlessly when the account exists.)
echo "veileder123" | .venv/hub/bin/hub advisor create --username veileder --name "Demo-veileder" \
    --max-chats 3 --password-stdin > /dev/null 2>&1 || true
# A demo content editor: "redaktor", password "redaktor123".
echo "redaktor123" | .venv/hub/bin/hub advisor create --username redaktor --name "Demo-redaktør" \
    --role editor --password-stdin > /dev/null 2>&1 || true
# A demo supervisor (leder): "leder", password "leder12345"; sees /veileder/oversikt.
echo "leder12345" | .venv/hub/bin/hub advisor create --username leder --name "Demo-leder" \
    --role leder --password-stdin > /dev/null 2>&1 || true
.venv/hub/bin/hub serve --host 127.0.0.1 --port "$PORT" > .cache/logs/hub.log 2>&1 &
pids+=($!)

echo "Starting (Rasa needs about 30-60 s to load the model; logs in .cache/logs/) ..."
.venv/bot/bin/python - "$RASA_PORT" "$PORT" <<'PY'
import sys
from bot.runtime.processes import wait_for_http
wait_for_http(f"http://127.0.0.1:{sys.argv[1]}/status", timeout=300)
wait_for_http(f"http://127.0.0.1:{sys.argv[2]}/health", timeout=60)
PY
cat <<MSG

  Nav chat assistant is running.
    Demo page with the chat widget:  http://127.0.0.1:$PORT/
    Advisor console:                 http://127.0.0.1:$PORT/veileder   (veileder / veileder123)
    Content editors:                 http://127.0.0.1:$PORT/veileder   (redaktor / redaktor123)
    Supervisors' overview:           http://127.0.0.1:$PORT/veileder   (leder / leder12345)
    API description:                 http://127.0.0.1:$PORT/docs
  Ctrl+C stops everything.
MSG
wait -n "${pids[@]}"
