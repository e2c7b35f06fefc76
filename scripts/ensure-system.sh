#!/usr/bin/env bash
# Makes sure the system parts the test suite needs are present and running: git, a Docker engine
# (dockerd), debootstrap (to build the sandbox image without a registry) and Chromium.
# On Debian/Ubuntu as root it installs what is missing with apt-get and starts dockerd;
# elsewhere it stops with a message naming what is missing. `--docker-only` starts dockerd only.
set -euo pipefail

need=()
command -v git >/dev/null || need+=(git)
command -v rg >/dev/null || need+=(ripgrep)
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
[ "${1:-}" = "--docker-only" ] || { [ -x /usr/bin/chromium ] || need+=(chromium); }

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[system] installing ${need[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "[system] missing: ${need[*]}. Install them (Debian/Ubuntu: apt-get install ${need[*]}), or run this as root on Debian/Ubuntu." >&2
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
