#!/usr/bin/env bash
# `npm run bench`: benchmarks on real parts; figures go to bench/results/*.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh --docker-only
[ -x node_modules/.bin/next ] || npm install --no-audit --no-fund
bash scripts/build.sh
node_modules/.bin/tsx scripts/ensure-image.ts
for b in session-start stream replay history review-ui long-session long-session-worker workspace-disk load events gateway merge spawner; do
  echo "[bench] $b"
  node_modules/.bin/tsx "bench/$b.ts"
done
