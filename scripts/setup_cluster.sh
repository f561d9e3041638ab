#!/usr/bin/env bash
# Debian's packages the cluster needs (make run-cluster, the deploy/ and cluster tests):
# nginx in front of the hubs, and docker-compose to check deploy/compose.yml. Installs
# only what is missing.
set -euo pipefail
missing=()
[ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v docker-compose > /dev/null 2>&1 || missing+=(docker-compose)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian's ${missing[*]} ..."
sudo_="" && [ "$(id -u)" != "0" ] && sudo_="sudo"
$sudo_ apt-get update -qq
$sudo_ env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${missing[@]}" > /dev/null
# The package starts nginx as a service on port 80; the cluster runs its own.
if [ -x /usr/sbin/service ] && [[ " ${missing[*]} " == *" nginx "* ]]; then
    $sudo_ service nginx stop > /dev/null 2>&1 || true
fi
