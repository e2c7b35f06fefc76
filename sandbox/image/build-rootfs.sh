#!/usr/bin/env bash
# Builds the sandbox root filesystem from Debian's packages (no container registry needed)
# and writes it as a tarball to $1. Called by lib/sandbox/image.ts; safe to run by hand.
# Changing this file changes the image tag, so the image is rebuilt on the next start.
set -euo pipefail
out=${1:?usage: build-rootfs.sh OUT.tar}
packages=bash,coreutils,findutils,grep,sed,gawk,diffutils,patch,procps,less,git,ripgrep,python3,nodejs,ca-certificates,tini

# Use the mirror apt itself is configured with; never hard-code a registry or mirror host.
mirror=${DOCKSIDE_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | grep -v security | grep -oE 'https?://[^ ]+' | head -n 1 || true)
fi
[ -n "$mirror" ] || { echo "no Debian mirror found in apt's configuration; set DOCKSIDE_DEBIAN_MIRROR" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/dockside-rootfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "[image] debootstrap bookworm from $mirror (about a minute)"
debootstrap --variant=minbase --include="$packages" bookworm "$work" "$mirror" \
  | while IFS= read -r line; do case "$line" in I:\ Retrieving*|I:\ Validating*) ;; *) echo "[image] $line";; esac; done
# The agent runs as an unprivileged user; uid 1000 owns /workspace on the host side too.
chroot "$work" groupadd -g 1000 agent
chroot "$work" useradd -m -u 1000 -g 1000 -s /bin/bash agent
mkdir -p "$work/workspace" "$work/opt/dockside" "$work/run/dockside"
chown 1000:1000 "$work/workspace"
# Trim what a sandbox never needs.
rm -rf "$work"/var/cache/apt/archives/*.deb "$work"/var/lib/apt/lists/* "$work"/usr/share/doc/* "$work"/usr/share/man/*
echo "[image] packing root filesystem"
tar -C "$work" -cf "$out" .
echo "[image] rootfs ready: $(du -h "$out" | cut -f1)"
