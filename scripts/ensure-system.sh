#!/usr/bin/env bash
# Makes sure the system parts Dockside needs are present and running: git, ripgrep, a Docker
# engine (dockerd), debootstrap (to build the sandbox image without a registry) and, for the
# tests, Chromium and redis-server (the Redis adapter's test). On Debian/Ubuntu as root it
# installs what is missing with apt-get and starts dockerd; elsewhere it stops (exit 1) with a
# message naming exactly what is missing.
#   (no flag)      what the test suite needs, Chromium and redis-server included (npm test)
#   --docker-only  the same without Chromium and redis-server (npm run bench)
#   --run          what sessions need (npm start): no Chromium, no redis-server, and no local
#                  engine when DOCKER_HOST names one
set -euo pipefail
mode=${1:-test}

need=()
command -v git >/dev/null || need+=(git)
command -v rg >/dev/null || need+=(ripgrep)
if [ "$mode" != "--run" ] || [ -z "${DOCKER_HOST:-}" ]; then
  command -v dockerd >/dev/null || need+=(docker.io)
fi
command -v debootstrap >/dev/null || need+=(debootstrap)
[ "$mode" = "--docker-only" ] || [ "$mode" = "--run" ] || { [ -x /usr/bin/chromium ] || need+=(chromium); }
[ "$mode" = "--docker-only" ] || [ "$mode" = "--run" ] || { command -v redis-server >/dev/null || need+=(redis-server); }

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[system] installing ${need[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }; then
      echo "[system] missing: ${need[*]}. apt-get could not install them (see its output above); install them by hand" >&2
      exit 1
    fi
  else
    why="run this as root on Debian/Ubuntu to have them installed"
    [ "$(id -u)" = 0 ] && why="apt-get is not available here: install them with this system's package manager"
    echo "[system] missing: ${need[*]}. Install them (Debian/Ubuntu: apt-get install ${need[*]}), or $why." >&2
    exit 1
  fi
fi

docker_ok() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if [ -z "${DOCKER_HOST:-}" ] && ! docker_ok; then
  if [ "$(id -u)" != 0 ]; then
    echo "[system] the Docker engine is not running and this user cannot start it: start dockerd (or set DOCKER_HOST)" >&2
    exit 1
  fi
  echo "[system] starting dockerd"
  mkdir -p /var/log
  nohup dockerd >/var/log/dockside-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker_ok && break; sleep 0.5; done
  docker_ok || { echo "[system] dockerd did not start; see /var/log/dockside-dockerd.log" >&2; tail -n 20 /var/log/dockside-dockerd.log >&2; exit 1; }
fi
echo "[system] docker engine $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo "at $DOCKER_HOST")"
