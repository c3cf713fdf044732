#!/usr/bin/env bash
# Installs Debian's redis-server for the Redis tests when it is missing. The tests start
# their own redis-server on a free port in a temporary folder (test/support/redis.ts), so
# the package's system service is never needed.
exec bash "$(dirname "$0")/../../../test/support/ensure-debian-package.sh" redis-server redis-server
