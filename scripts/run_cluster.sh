#!/usr/bin/env bash
# Run the system as a cluster on this machine: 2 hubs and 2 Rasa instances (each with its
# action server and NLG server) behind nginx, on PostgreSQL and Redis, with one published
# model, and the content service publishing to both instances. Ctrl+C stops all.
#
#   make run-cluster            (trains models/nav.tar.gz first, like `make run`)
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and Redis on 127.0.0.1:6379; installs
# Debian's nginx when it is missing. The same layout with containers: deploy/.
#
# Settings (environment; the defaults suit `make run-cluster`, the cluster tests set their own):
#   PORT (8000)              nginx, for browsers
#   CLUSTER_PORT_BASE (8100) the processes behind it take ports from here up
#   CLUSTER_HUBS (2), CLUSTER_RASA (2)  how many hubs and Rasa instances (1-9 each)
#   CLUSTER_DIR (.cache/cluster)  logs, pids (pids/<name>.pid), nginx's files
#   CLUSTER_MODELS (models)  the published model nav.tar.gz; a publish writes here
#   CLUSTER_CONFIG (config.yml)  the training config the published model was trained with
#   CLUSTER_PG (postgresql://postgres@127.0.0.1:5432), CLUSTER_DB (nav_cluster),
#   CLUSTER_RASA_DB (nav_cluster_rasa)  the hubs' and Rasa's databases (made if missing)
#   REDIS_HOST (127.0.0.1), REDIS_PORT (6379), REDIS_DB (0), RASA_LOCK_PREFIX (navcluster)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${PORT:-8000}"
BASE="${CLUSTER_PORT_BASE:-8100}"
DIR="$(mkdir -p "${CLUSTER_DIR:-$ROOT/.cache/cluster}" && cd "${CLUSTER_DIR:-$ROOT/.cache/cluster}" && pwd)"
MODELS="$(cd "${CLUSTER_MODELS:-$ROOT/models}" && pwd)"
TRAIN_CONFIG="${CLUSTER_CONFIG:-$ROOT/config.yml}"
PG="${CLUSTER_PG:-postgresql://postgres@127.0.0.1:5432}"
HUB_DB="${CLUSTER_DB:-nav_cluster}"
RASA_DB="${CLUSTER_RASA_DB:-nav_cluster_rasa}"
export REDIS_HOST="${REDIS_HOST:-127.0.0.1}" REDIS_PORT="${REDIS_PORT:-6379}" REDIS_DB="${REDIS_DB:-0}"
export RASA_LOCK_PREFIX="${RASA_LOCK_PREFIX:-navcluster}"
# A lock left by an instance that died blocks its conversation this long (Rasa's default: 60 s).
export TICKET_LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-20}"
export TF_CPP_MIN_LOG_LEVEL=3 PYTHONWARNINGS=ignore
# The sentence encoder's threads: sleeping, one (bot/__init__.py says why); its int8 file,
# built once, in the project's cache as for training (bot/paths.py).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export NAV_ENCODER_FOLDER="${NAV_ENCODER_FOLDER:-$ROOT/.cache/encoder}"
mkdir -p "$DIR/logs" "$DIR/pids" "$DIR/nginx"

secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(24))'; }
export HUB_BOT_SECRET="${HUB_BOT_SECRET:-$(secret)}"
export ACTION_SERVER_TOKEN="${ACTION_SERVER_TOKEN:-$(secret)}"
export NLG_SERVER_TOKEN="${NLG_SERVER_TOKEN:-$(secret)}"
export NAV_CONTENT_TOKEN="${NAV_CONTENT_TOKEN:-$(secret)}"

# Ports: nginx's internal Rasa balancer, then per instance.
RASA_LB=$((BASE + 0)) CONTENT_PORT=$((BASE + 1))
HUBS="${CLUSTER_HUBS:-2}" RASAS="${CLUSTER_RASA:-2}"
HUB_PORTS=() RASA_PORTS=() ACTION_PORTS=() NLG_PORTS=()
for ((i = 0; i < HUBS; i++)); do HUB_PORTS+=($((BASE + 10 + i))); done
for ((i = 0; i < RASAS; i++)); do
    RASA_PORTS+=($((BASE + 20 + i))) ACTION_PORTS+=($((BASE + 30 + i))) NLG_PORTS+=($((BASE + 40 + i)))
done

bash scripts/setup_cluster.sh  # Debian's nginx, if missing
NGINX=/usr/sbin/nginx

# The databases, once (trust authentication on 127.0.0.1, as for the hub's tests).
for db in "$HUB_DB" "$RASA_DB"; do
    if ! psql "$PG/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
        psql "$PG/postgres" -qc "CREATE DATABASE \"$db\"" > /dev/null
    fi
done
PG_HOSTPORT="${PG#*@}"
export RASA_DB_HOST="${PG_HOSTPORT%:*}" RASA_DB_PORT="${PG_HOSTPORT##*:}" RASA_DB_NAME="$RASA_DB"
PG_USERPASS="${PG#postgresql://}"; PG_USERPASS="${PG_USERPASS%@*}"
export RASA_DB_USER="${PG_USERPASS%%:*}"
export RASA_DB_PASSWORD="${RASA_DB_PASSWORD:-$([[ "$PG_USERPASS" == *:* ]] && echo "${PG_USERPASS#*:}" || true)}"

pids=()
cleanup() {
    trap - EXIT INT TERM
    kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -f "$DIR"/pids/*.pid
}
start() {  # start NAME COMMAND...: in the background, its log in logs/NAME.log, its pid in pids/NAME.pid
    local name="$1"; shift
    "$@" > "$DIR/logs/$name.log" 2>&1 &
    pids+=($!)
    echo $! > "$DIR/pids/$name.pid"
}
trap cleanup EXIT INT TERM

# The published model and its texts (make train wrote models/nav.tar.gz; bot/release/stamp.py).
.venv/bot/bin/python -m bot.release.stamp --model "$MODELS/nav.tar.gz" --config "$TRAIN_CONFIG"

# nginx: browsers -> hubs on $PORT, hubs -> Rasa on $RASA_LB; what it does with them is
# deploy/nginx/*.conf, shared with the deployment.
cat > "$DIR/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $DIR/nginx/nginx.pid;
error_log $DIR/logs/nginx.log warn;
daemon off;
events { worker_connections 2048; }
http {
    include $ROOT/deploy/nginx/http.conf;
    access_log off;
    client_body_temp_path $DIR/nginx/body;
    proxy_temp_path $DIR/nginx/proxy;
    upstream hubs {
$(for p in "${HUB_PORTS[@]}"; do echo "        server 127.0.0.1:$p max_fails=2 fail_timeout=10s;"; done)
        keepalive 16;
        keepalive_timeout 4s;  # below the hub's (Sanic's) 5 s: deploy/nginx/nginx.conf
    }
    # Written by scripts/cluster_drain.sh, which leaves out an instance while it loads a model.
    include $DIR/nginx/rasa-upstream.conf;
    server { listen 127.0.0.1:$PORT; include $ROOT/deploy/nginx/hub-locations.conf; }
    server { listen 127.0.0.1:$RASA_LB; include $ROOT/deploy/nginx/rasa-locations.conf; }
}
CONF
printf '%s\n' "${RASA_PORTS[@]}" > "$DIR/nginx/rasa-ports"
: > "$DIR/nginx/drained"
bash scripts/cluster_drain.sh "$DIR" write
"$NGINX" -t -q -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf"
start nginx "$NGINX" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf"

# The Rasa instances, each with its own action server and NLG server beside it on 127.0.0.1
# (deploy/endpoints.cluster.yml reads their addresses from the environment).
export HUB_URL="http://127.0.0.1:$PORT"
RASA_URLS=""
for ((i = 0; i < RASAS; i++)); do
    n=$((i + 1))
    start "actions$n" .venv/bot/bin/python -m bot.runtime.action_server --port "${ACTION_PORTS[$i]}"
    start "nlg$n" .venv/bot/bin/python -m bot.runtime.nlg_server --port "${NLG_PORTS[$i]}" \
        --texts "$MODELS/nav.texts.json"
    ACTION_SERVER_URL="http://127.0.0.1:${ACTION_PORTS[$i]}/webhook" \
    NLG_SERVER_URL="http://127.0.0.1:${NLG_PORTS[$i]}/nlg" \
        start "rasa$n" .venv/bot/bin/rasa run --enable-api -i 127.0.0.1 --port "${RASA_PORTS[$i]}" \
        -m "$MODELS/nav.tar.gz" --endpoints deploy/endpoints.cluster.yml --credentials credentials.yml
    RASA_URLS="${RASA_URLS:+$RASA_URLS,}http://127.0.0.1:${RASA_PORTS[$i]}"
done

# The content service publishes to every instance (bot/release/rasa_api.py, RASA_URLS), each
# left out of nginx's Rasa upstream while it loads the model (RASA_DRAIN_COMMAND).
export RASA_URLS RASA_DRAIN_COMMAND="bash $ROOT/scripts/cluster_drain.sh $DIR"
export RASA_DRAIN_SECONDS="${RASA_DRAIN_SECONDS:-5}"
start content .venv/bot/bin/python -m bot.content.service --port "$CONTENT_PORT" \
    --models "$MODELS" --config "$TRAIN_CONFIG"

# The hubs: one database, live events between them by LISTEN/NOTIFY, Rasa through nginx, and
# Rasa's trackers erased in Rasa's database by the retention sweep.
export HUB_DATABASE_URL="${PG/postgresql:/postgresql+asyncpg:}/$HUB_DB"
export HUB_RASA_TRACKER_DB_URL="${PG/postgresql:/postgresql+asyncpg:}/$RASA_DB"
export HUB_RASA_URL="http://127.0.0.1:$RASA_LB"
export HUB_CONTENT_URL="http://127.0.0.1:$CONTENT_PORT" HUB_CONTENT_TOKEN="$NAV_CONTENT_TOKEN"
export HUB_TRUSTED_PROXIES=1
export HUB_WEB_DIR="${HUB_WEB_DIR:-$ROOT/handoff/web/dist}"
export HUB_ALWAYS_OPEN="${HUB_ALWAYS_OPEN:-true}"
# A message may wait for an instance that is loading a new model (a publish): allow for it.
export HUB_RASA_TIMEOUT_SECONDS="${HUB_RASA_TIMEOUT_SECONDS:-30}"
wait_for() { .venv/bot/bin/python -c "from bot.runtime.processes import wait_for_http as w; w('$1', timeout=$2)"; }
# The first hub migrates the database; the second starts once it has.
start hub1 .venv/hub/bin/hub serve --host 127.0.0.1 --port "${HUB_PORTS[0]}"
wait_for "http://127.0.0.1:${HUB_PORTS[0]}/health" 60
for ((i = 1; i < HUBS; i++)); do
    start "hub$((i + 1))" .venv/hub/bin/hub serve --host 127.0.0.1 --port "${HUB_PORTS[$i]}"
done
# Demo accounts, once (as `make run`): veileder / veileder123, redaktor / redaktor123, leder / leder12345.
echo "veileder123" | .venv/hub/bin/hub advisor create --username veileder --name "Demo-veileder" \
    --max-chats 3 --password-stdin > /dev/null 2>&1 || true
echo "redaktor123" | .venv/hub/bin/hub advisor create --username redaktor --name "Demo-redaktør" \
    --role editor --password-stdin > /dev/null 2>&1 || true
echo "leder12345" | .venv/hub/bin/hub advisor create --username leder --name "Demo-leder" \
    --role leder --password-stdin > /dev/null 2>&1 || true

echo "Starting the cluster (the Rasa instances load the model: 1-2 minutes; logs in $DIR/logs/) ..."
for p in "${HUB_PORTS[@]}"; do wait_for "http://127.0.0.1:$p/health" 60; done
for p in "${RASA_PORTS[@]}"; do wait_for "http://127.0.0.1:$p/status" 600; done
wait_for "http://127.0.0.1:$PORT/health" 10
cat <<MSG

  Nav chat assistant is running as a cluster: $HUBS hubs and $RASAS Rasa instances behind nginx.
    Demo page with the chat widget:  http://127.0.0.1:$PORT/
    Advisor console:                 http://127.0.0.1:$PORT/veileder   (veileder / veileder123)
    Content editors:                 http://127.0.0.1:$PORT/veileder   (redaktor / redaktor123)
    Supervisors' overview:           http://127.0.0.1:$PORT/veileder   (leder / leder12345)
  Hubs ${HUB_PORTS[*]}, Rasa ${RASA_PORTS[*]} (through nginx on $RASA_LB), PostgreSQL $HUB_DB and $RASA_DB,
  Redis db $REDIS_DB (locks under $RASA_LOCK_PREFIX:). Ctrl+C stops everything.
MSG
# One instance that stops does not stop the cluster: the others go on serving.
wait
