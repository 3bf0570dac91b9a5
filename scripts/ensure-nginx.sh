#!/usr/bin/env bash
# The browser test of several nodes (tests/e2e/nginx-nodes.spec.ts) puts Debian's nginx in front
# of them, with a configuration of its own on a free port; the package's own service is not used.
set -euo pipefail
NGINX="${NGINX_PATH:-/usr/sbin/nginx}"
if [ -x "$NGINX" ]; then exit 0; fi
echo "Installing Debian's nginx for the browser tests..."
if [ "$(id -u)" -ne 0 ]; then
  echo "nginx is missing: run 'sudo apt-get install -y nginx' (or run the tests as root, or set NGINX_PATH)" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
"$NGINX" -v
