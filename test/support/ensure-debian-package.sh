#!/usr/bin/env bash
# ensure-debian-package.sh PACKAGE COMMAND: installs Debian's PACKAGE with apt-get when
# COMMAND (a name on PATH or an absolute path) is missing. Idempotent, non-interactive,
# and only ever from the Debian archive; the tests start the programs themselves.
set -euo pipefail
package="$1" command="$2"
if command -v "$command" >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure: $command is missing and apt-get is not available; install Debian's $package yourself" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
echo "ensure: installing Debian's $package (apt-get)…"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "$package" >/dev/null
command -v "$command" >/dev/null
"$command" --version
