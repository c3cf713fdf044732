#!/usr/bin/env bash
# Installs Debian's redis-server for the Redis tests when it is missing. Idempotent and
# non-interactive; installs only from the Debian archive. The tests start their own
# redis-server on a free port in a temporary folder (test/support/redis.ts), so the
# package's system service is never needed and is not started here.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-redis: redis-server is missing and apt-get is not available; install Redis yourself" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
echo "ensure-redis: installing Debian's redis-server (apt-get)…"
$SUDO apt-get update -qq
# policy-rc.d-free containers may try to start the service; the tests do not rely on it.
$SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
command -v redis-server >/dev/null
redis-server --version
