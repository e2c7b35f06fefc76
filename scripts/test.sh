#!/usr/bin/env bash
# `npm test`: the whole suite on real parts. Installs and starts what is missing (Debian/Ubuntu
# as root), builds, then runs unit + integration tests (vitest: real PostgreSQL, Docker, git)
# and the end-to-end tests (Playwright in Debian's Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

bash scripts/ensure-system.sh
[ -x node_modules/.bin/next ] || npm install --no-audit --no-fund
bash scripts/build.sh
node_modules/.bin/tsx scripts/check-release.ts
node_modules/.bin/tsx scripts/ensure-image.ts

echo "[test] unit and integration tests (vitest)"
node_modules/.bin/vitest run
echo "[test] end-to-end tests (Playwright, Chromium)"
node_modules/.bin/playwright test
echo "[test] all passed in $(( $(date +%s) - start )) s"
