#!/usr/bin/env bash
# Builds what is stale: the Prisma client, the sandbox worker bundle, the Next.js app.
set -euo pipefail
cd "$(dirname "$0")/.."

schema_hash=$(cat prisma/schema.prisma | sha256sum | cut -c1-16)
if [ "$(cat lib/db/generated/.schema-hash 2>/dev/null)" != "$schema_hash" ]; then
  echo "[build] generating the Prisma client"
  DATABASE_URL=${DATABASE_URL:-postgresql://localhost/unused} npx prisma generate >/dev/null
  echo "$schema_hash" > lib/db/generated/.schema-hash
fi

node scripts/build-worker.mjs

if [ "${1:-}" != "--no-next" ]; then
  stamp=.next/BUILD_ID
  if [ ! -f "$stamp" ] || [ -n "$(find app components lib next.config.ts postcss.config.mjs package.json -newer "$stamp" -type f -print -quit 2>/dev/null)" ]; then
    echo "[build] building the web app (next build)"
    # One log per checkout: builds in several worktrees at once must not share it.
    log=.next-build.log
    # On failure the errors go first: the log's tail is mostly tracing warnings.
    npx next build >"$log" 2>&1 || { grep -n -A6 -E "Type error|error TS|Failed to compile|Module not found|Error:" "$log" | head -n 60 >&2; tail -n 15 "$log" >&2; echo "[build] next build failed (log: $PWD/$log)" >&2; exit 1; }
    echo "[build] built the web app ($(grep -c '' "$log") log lines in $log)"
  fi
fi
