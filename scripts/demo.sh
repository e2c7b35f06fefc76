#!/usr/bin/env bash
# `npm run demo`: Dockside with the scripted model, so the whole UI can be tried offline.
# Local repositories are allowed under a demo directory only (DOCKSIDE_REPO_ROOTS); a sample
# repository is made there. Dockside's own checkout and data directory are always refused.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm install
port=${DOCKSIDE_DEMO_MODEL_PORT:-4010}
repos=${DOCKSIDE_REPO_ROOTS:-${TMPDIR:-/tmp}/dockside-demo-repos}
sample="${repos%%:*}/sample"
if [ ! -d "$sample/.git" ]; then
  mkdir -p "$sample"
  git -C "$sample" init -q -b main
  printf '# Sample project\n\nA repository to try Dockside on.\n' > "$sample/README.md"
  git -C "$sample" add -A
  git -C "$sample" -c user.name=Dockside -c user.email=demo@localhost commit -q -m "Sample project"
fi
export DOCKSIDE_REPO_ROOTS="$repos"
node_modules/.bin/tsx scripts/model-stub.ts --port "$port" &
stub=$!
trap 'kill $stub 2>/dev/null || true' EXIT
export ANTHROPIC_BASE_URL="http://127.0.0.1:$port"
export ANTHROPIC_API_KEY=demo-key
echo "[demo] scripted model at $ANTHROPIC_BASE_URL; try a session on $sample (local repositories: under $repos)"
bash scripts/start.sh
