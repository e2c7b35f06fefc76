#!/usr/bin/env bash
# `npm run demo`: Dockside with the scripted model, so the whole UI can be tried offline.
# Create a session against any local repository (for example this one: its absolute path).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm install
port=${DOCKSIDE_DEMO_MODEL_PORT:-4010}
node_modules/.bin/tsx scripts/model-stub.ts --port "$port" &
stub=$!
trap 'kill $stub 2>/dev/null || true' EXIT
export ANTHROPIC_BASE_URL="http://127.0.0.1:$port"
export ANTHROPIC_API_KEY=demo-key
echo "[demo] scripted model at $ANTHROPIC_BASE_URL; try a session on $(pwd)"
bash scripts/start.sh
