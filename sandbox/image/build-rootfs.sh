#!/usr/bin/env bash
# Builds the sandbox root filesystem from Debian's packages (no container registry needed)
# and writes it as a tarball to $1. Called by lib/sandbox/image.ts; safe to run by hand.
# The packages are those of packages.txt, trimmed by dpkg-trim.cfg (the Dockerfile uses both
# files too). Changing any of the three changes the image tag (lib/sandbox/image.ts), so the image
# is rebuilt on the next start.
#
# Two steps, because debootstrap alone cannot install npm: its resolver ignores virtual packages
# ("Provides"), so npm's few hundred node-* dependencies are left unconfigured. debootstrap lays
# down a minimal base (with apt), then the chroot's own apt-get installs the list, resolving
# dependencies properly and fetching in parallel.
set -euo pipefail
out=${1:?usage: build-rootfs.sh OUT.tar}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
read -r -a packages <<<"$(sed 's/#.*//' "$here/packages.txt" | xargs)"
[ ${#packages[@]} -gt 0 ] || { echo "no packages in $here/packages.txt" >&2; exit 2; }

# Use the mirrors apt itself is configured with; never hard-code a registry or mirror host.
# apt-get indextargets is apt's own reading of its sources (both sources formats, all files);
# the Origin/Label fields need downloaded lists, the release names do not.
sites=$(apt-get indextargets --format '$(SITE) $(RELEASE) $(LABEL)' 'Created-By: Packages' 2>/dev/null | sort -u || true)
# The first site labelled $1, else the first serving release $2.
pick() { awk -v label="$1" -v release="$2" '$3 == label && !l { l = $1 } $2 == release && !r { r = $1 } END { print l ? l : r }' <<<"$sites"; }
mirror=${DOCKSIDE_DEBIAN_MIRROR:-$(pick Debian bookworm)}
security=${DOCKSIDE_DEBIAN_SECURITY_MIRROR:-$(pick Debian-Security bookworm-security)}
[ -n "$mirror" ] || { echo "no Debian mirror found in apt's configuration; set DOCKSIDE_DEBIAN_MIRROR" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 2; }

# Unmounts what a debootstrap that was killed left mounted under $1 (its /proc and /sys), then
# removes the tree; --one-file-system never crosses into a mount that is still there.
remove_tree() {
  awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r | while IFS= read -r m; do umount -l "$m" || true; done
  rm -rf --one-file-system "$1"
}
# A build killed outright (SIGKILL, OOM, power loss) leaves its tree behind, about 1 GB: remove
# those whose build process is gone and whose log has been quiet long enough that nothing it
# started (debootstrap, apt) can still be at work.
for old in "${TMPDIR:-/tmp}"/dockside-rootfs.*/; do
  old=${old%/}
  [ -f "$old/pid" ] || continue
  kill -0 "$(cat "$old/pid")" 2>/dev/null && continue
  [ -z "$(find "$old" -maxdepth 1 -name build.log -mmin -10)" ] || continue
  remove_tree "$old"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dockside-rootfs.XXXXXX")
root=$tmp/root log=$tmp/build.log
echo $$ >"$tmp/pid"
finish() {
  local code=$?
  # Whoever read this output may be gone (a stopped server, a test run that timed out): writing
  # to it must not stop the cleanup.
  trap '' PIPE
  # The full output went to the log; a failure shows its end (image.ts quotes the last lines).
  if [ $code -ne 0 ]; then { echo "[image] build failed (exit $code); the end of its output:"; tail -n 25 "$log"; } >&2 || true; fi
  remove_tree "$tmp"
}
trap finish EXIT
start=$SECONDS
say() { echo "[image] $*"; }

# debootstrap and apt-get print a line or more per package (hundreds of packages): keep the full
# text in the log and show counts instead, about ten lines per phase, plus warnings and errors.
# apt runs dpkg in several batches, so the phases interleave: each keeps its own running count.
progress() {
  local stage=$1 total=0 step=25 line phase last=""
  local -A count=()
  # debootstrap announces no total and runs its phases one after the other: end each with its count.
  ended() { [ "$total" -eq 0 ] && [ -n "$last" ] && [ $((count[$last] % step)) -ne 0 ] && say "$stage: $last ${count[$last]}" || true; }
  while IFS= read -r line; do
    printf '%s\n' "$line" >>"$log"
    case "$line" in
      # debootstrap's headers for its phases, not packages
      "I: "*" required packages..." | "I: "*" the base system...") continue ;;
      "I: Retrieving "* | Get:*) phase=retrieving ;;
      "I: Extracting "*) phase=extracting ;;
      "I: Unpacking "* | "Unpacking "*) phase=unpacking ;;
      "I: Configuring "* | "Setting up "*) phase=configuring ;;
      E:* | W:* | "dpkg: error"*) say "$stage: $line"; continue ;;
      Fetched*) say "$stage: ${line,}"; continue ;;
      *)
        if [[ $line =~ ^([0-9]+)\ upgraded,\ ([0-9]+)\ newly\ installed ]]; then
          total=$((BASH_REMATCH[1] + BASH_REMATCH[2])) step=$(((total + 9) / 10))
          say "$stage: $total packages to install"
        fi
        continue ;;
    esac
    [ "$phase" = "$last" ] || { ended; last=$phase; }
    count[$phase]=$((${count[$phase]:-0} + 1))
    # Every step, and the last package of each phase.
    if [ $((count[$phase] % step)) -eq 0 ] || [ "${count[$phase]}" = "$total" ]; then
      if [ "$total" -gt 0 ]; then say "$stage: $phase ${count[$phase]}/$total"; else say "$stage: $phase ${count[$phase]}"; fi
    fi
  done
  ended
}

# dpkg settings, in place before debootstrap's first dpkg run so that they apply to every package.
mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
# Build only, removed before packing: the tree is packed right after the build, so syncing every
# unpacked file to disk only costs time.
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/zz-dockside-build"
# Kept in the image: no docs, manuals or translations (the Dockerfile installs the same rules).
cp "$here/dpkg-trim.cfg" "$root/etc/dpkg/dpkg.cfg.d/01-dockside-trim"

say "base system: debootstrap --variant=minbase bookworm from $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" 2>&1 | progress "base system"
say "base system ready ($((SECONDS - start)) s)"

# No service may start inside the build chroot (removed before packing).
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
{
  echo "deb $mirror bookworm main"
  echo "deb $mirror bookworm-updates main"
  # Security updates too, as debian:bookworm-slim (the Dockerfile's base) has them.
  [ -z "$security" ] || echo "deb $security bookworm-security main"
} >"$root/etc/apt/sources.list"
[ -n "$security" ] || say "no bookworm-security mirror in apt's configuration: building without security updates"

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
# No pty in the chroot (no /dev/pts): without Use-Pty=0 apt prints a spurious "E: Can not write log".
apt_get() { in_root apt-get -y -o Dpkg::Use-Pty=0 -o APT::Install-Recommends=false -o APT::Install-Suggests=false "$@"; }
t_packages=$SECONDS
apt_get update 2>&1 | progress "package lists"
# The base system's own security updates first, then the list.
apt_get upgrade 2>&1 | progress "updates"
say "packages: installing ${#packages[@]} packages and their dependencies"
apt_get install "${packages[@]}" 2>&1 | progress "packages"
say "packages ready ($((SECONDS - t_packages)) s)"

# The agent runs as an unprivileged user; uid 1000 owns /workspace on the host side too.
in_root groupadd -g 1000 agent
in_root useradd -m -u 1000 -g 1000 -s /bin/bash agent
mkdir -p "$root/workspace" "$root/opt/dockside" "$root/run/dockside"
chown 1000:1000 "$root/workspace"

# Trim what a sandbox never needs: apt's lists and downloads (the root filesystem is read-only
# in a sandbox, so apt could not use them), logs, backups, and the documentation that
# debootstrap extracted without dpkg (so without the trim rules).
apt_get clean
rm -f "$root/etc/dpkg/dpkg.cfg.d/zz-dockside-build" "$root/usr/sbin/policy-rc.d"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old
find "$root/var/log" -type f -delete
find "$root/usr/share/doc" -mindepth 1 \( -type f -o -type l \) ! -name copyright -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/groff/* "$root"/usr/share/lintian/*
# debootstrap copied the host's resolver configuration and name; Docker provides its own.
: >"$root/etc/resolv.conf"
: >"$root/etc/hostname"

say "packing root filesystem ($(du -sh "$root" | cut -f1))"
tar -C "$root" -cf "$out" .
say "rootfs ready: $(du -h "$out" | cut -f1) in $((SECONDS - start)) s"
