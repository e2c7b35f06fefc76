#!/usr/bin/env bash
# `npm start`: makes the machine ready for sessions, builds what is stale and runs Dockside on its
# embedded defaults (http://localhost:3000, embedded PostgreSQL under ./.data unless DATABASE_URL
# is set). On Debian/Ubuntu as root it installs what sessions need (the Docker engine, debootstrap,
# git, ripgrep), starts dockerd and builds the sandbox image, showing its progress. Elsewhere it
# names what is missing and starts the web app anyway: sessions start once that is there.
#   --dev    development server (next dev)
#   --check  only the machine's part: what is missing, dockerd, the image; no build, no server
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm install

ready=1
bash scripts/ensure-system.sh --run || ready=0
if [ $ready = 1 ]; then
  # The first start builds the image here, where its progress is seen, rather than silently
  # behind the first session.
  node_modules/.bin/tsx scripts/ensure-image.ts || ready=0
fi
if [ $ready = 0 ]; then
  echo "[start] sessions cannot start until what is named above is there; the web app starts anyway" >&2
fi
[ "${1:-}" = "--check" ] && exit $((1 - ready))

if [ "${1:-}" = "--dev" ]; then
  bash scripts/build.sh --no-next
  exec node --import tsx server.ts --dev
fi
bash scripts/build.sh
export NODE_ENV=production
exec node --import tsx server.ts
