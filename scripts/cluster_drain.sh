#!/usr/bin/env bash
# Takes a Rasa instance of `make run-cluster` out of nginx's Rasa upstream, or puts it back,
# while a publish loads a new model into it (bot/release/rasa_api.py, Drain: the content
# service runs this as RASA_DRAIN_COMMAND). A graceful reload: requests under way finish.
#
#   scripts/cluster_drain.sh CLUSTER_DIR drain|undrain http://127.0.0.1:PORT
#   scripts/cluster_drain.sh CLUSTER_DIR write            (the upstream as it is; at start)
set -euo pipefail
DIR="$1" ACTION="$2" URL="${3:-}"
NGINX_DIR="$DIR/nginx"
PORT="${URL##*:}" PORT="${PORT%%/*}"
touch "$NGINX_DIR/drained"
case "$ACTION" in
    drain) echo "$PORT" >> "$NGINX_DIR/drained" ;;
    undrain) { grep -vx "$PORT" "$NGINX_DIR/drained" || true; } > "$NGINX_DIR/drained.new"
             mv "$NGINX_DIR/drained.new" "$NGINX_DIR/drained" ;;
    write) ;;
    *) echo "usage: $0 CLUSTER_DIR drain|undrain URL" >&2; exit 2 ;;
esac
{
    echo "upstream rasa {"
    # The instance with the fewest open requests (deploy/nginx/nginx.conf says why).
    echo "    least_conn;"
    while read -r port; do
        if grep -qx "$port" "$NGINX_DIR/drained"; then
            echo "    server 127.0.0.1:$port down;"
        else
            echo "    server 127.0.0.1:$port max_fails=2 fail_timeout=10s;"
        fi
    done < "$NGINX_DIR/rasa-ports"
    echo "    keepalive 8;"
    echo "    keepalive_timeout 4s;  # below Rasa's (Sanic's) 5 s: deploy/nginx/nginx.conf"
    echo "}"
} > "$NGINX_DIR/rasa-upstream.conf.new"
mv "$NGINX_DIR/rasa-upstream.conf.new" "$NGINX_DIR/rasa-upstream.conf"
if [ "$ACTION" != write ]; then
    /usr/sbin/nginx -q -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -s reload
fi
