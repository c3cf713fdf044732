#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing.
exec bash "$(dirname "$0")/../../../test/support/ensure-debian-package.sh" chromium /usr/bin/chromium
