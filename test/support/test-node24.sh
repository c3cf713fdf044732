#!/usr/bin/env bash
# The test suite (Vitest only) on Node 24, while the packages keep supporting Node >= 20
# and everything else in `pnpm check` runs on the machine's Node. Node 24 comes from the
# npm registry into .node24/ (git-ignored, reused while it holds a 24.x): the package
# `node-<platform>-<arch>` is the binary itself, what `npm install node@24` fetches with
# an install script, which npm may skip.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="$PWD/.node24"
node24="$dir/node_modules/.bin/node"
if [[ "$("$node24" -v 2>/dev/null)" != v24.* ]]; then
  rm -rf "$dir"
  npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error \
    "$(node -p '`node-${process.platform}-${process.arch}`')@24"
fi
version="$("$node24" -v)"
[[ "$version" == v24.* ]] || { echo "expected Node 24 in $dir, found $version" >&2; exit 1; }
echo "Vitest on Node $version"
PATH="$dir/node_modules/.bin:$PATH" exec "$node24" node_modules/vitest/vitest.mjs run "$@"
