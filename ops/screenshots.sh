#!/usr/bin/env bash
# screenshots.sh — regenerate the README gallery (docs/screenshots/*.png): start a throwaway
# stack, walk the pages in headless Chromium (test/browser/screenshots.mjs), stop the stack.
#
# Env: YICHUANG_INSTANCE (default shots), YICHUANG_PORT / YICHUANG_REDIS_PORT /
# YICHUANG_MYSQL_PORT (default 18090 / 16390 / 13309), YICHUANG_NOW (default Monday
# 2026-11-23 09:30 hall time, so the gallery shows the same day whenever it is made),
# YICHUANG_GALLERY (default docs/screenshots).
set -euo pipefail
cd "$(dirname "$0")/.."
export YICHUANG_INSTANCE=${YICHUANG_INSTANCE:-shots}
export YICHUANG_PORT=${YICHUANG_PORT:-18090} YICHUANG_REDIS_PORT=${YICHUANG_REDIS_PORT:-16390}
export YICHUANG_MYSQL_PORT=${YICHUANG_MYSQL_PORT:-13309}
export YICHUANG_NOW=${YICHUANG_NOW:-2026-11-23T09:30:00+08:00}
export YICHUANG_BASE_URL=http://127.0.0.1:$YICHUANG_PORT
export YICHUANG_GALLERY=${YICHUANG_GALLERY:-$PWD/docs/screenshots}

bash ops/stack.sh wipe "$YICHUANG_INSTANCE" >/dev/null 2>&1 || true
bash ops/stack.sh up "$YICHUANG_INSTANCE"
trap 'bash ops/stack.sh down "$YICHUANG_INSTANCE" >/dev/null 2>&1' EXIT
(cd test/browser && node screenshots.mjs)
