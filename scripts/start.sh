#!/usr/bin/env bash
# `npm start`: builds what is stale and runs Dockside on its embedded defaults
# (http://localhost:3000, embedded PostgreSQL under ./.data unless DATABASE_URL is set).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm install
# Start the local Docker engine if it is installed but not running (best effort: without it
# Dockside still starts and says so).
if [ -z "${DOCKER_HOST:-}" ] && command -v dockerd >/dev/null && [ "$(id -u)" = 0 ]; then
  bash scripts/ensure-system.sh --docker-only || true
fi
if [ "${1:-}" = "--dev" ]; then
  bash scripts/build.sh --no-next
  exec node --import tsx server.ts --dev
fi
bash scripts/build.sh
export NODE_ENV=production
exec node --import tsx server.ts
