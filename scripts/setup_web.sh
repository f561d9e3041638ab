#!/usr/bin/env bash
# Build the widget and the advisor console (handoff/web) when their sources changed,
# and install Debian's Chromium for the browser tests if it is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WEB="$ROOT/handoff/web"
STAMP="$WEB/dist/.sources.sha256"

want="$(cd "$WEB" && find src pages build.mjs package.json package-lock.json -type f -print0 2>/dev/null | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
    (cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
    echo "$want" > "$STAMP"
    echo "web build ready: $WEB/dist"
fi
if [ "${SKIP_CHROMIUM:-}" != "1" ] && ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >/dev/null
    else
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >/dev/null
    fi
fi
