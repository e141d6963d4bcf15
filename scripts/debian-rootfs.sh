#!/usr/bin/env bash
# Writes a minimal Debian 12 (bookworm) root filesystem tarball to $1, made with
# `debootstrap --variant=minbase` from the mirror this machine's apt uses. Deterministic tar
# flags (sorted names, mtime 0, numeric owners kept as installed); the tarball is cached under
# /var/cache/strata-test/ keyed by the date (the mirror changes daily), so reruns are fast.
# Exits non-zero with a clear message when debootstrap cannot reach the mirror.
set -euo pipefail
out=${1:?usage: debian-rootfs.sh OUT.tar}
suite=bookworm
command -v debootstrap >/dev/null || { echo "debian-rootfs.sh: debootstrap is not installed" >&2; exit 1; }

# The mirror apt uses: the first deb.debian.org-style URI for a non-security suite in
# /etc/apt/sources.list{,.d/*} (deb822 "URIs:" or one-line "deb URI suite ..." entries).
mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    mirror=$(awk '
      /^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }
      /^deb[ \t]/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { if ($i ~ /\/debian\/?$/) { print $i; exit } break } }
    ' "$f")
    [ -n "$mirror" ] && break
  done
fi
mirror=${mirror:-http://deb.debian.org/debian}

cache=/var/cache/strata-test
key="debian-$suite-minbase-$(date -u +%Y%m%d)-$(printf '%s' "$mirror" | sha256sum | cut -c1-12).tar"
if [ -f "$cache/$key" ]; then
  cp "$cache/$key" "$out"
  exit 0
fi

dir=$(mktemp -d)
cleanup() {
  # debootstrap mounts /proc and /sys inside the target; never rm -rf through a mount.
  awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
log="$dir.log"
if ! debootstrap --variant=minbase "$suite" "$dir/rootfs" "$mirror" >"$log" 2>&1; then
  echo "debian-rootfs.sh: debootstrap --variant=minbase $suite from $mirror failed (is the mirror reachable?)" >&2
  tail -n 20 "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
root="$dir/rootfs"
# What varies between runs and no image needs: apt lists and caches, logs, machine identity.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
  "$root"/var/log/* "$root"/tmp/* "$root"/var/tmp/*
: > "$root/etc/machine-id" 2>/dev/null || true
# debootstrap leaves the host's resolv.conf and hostname; an image must not carry them.
rm -f "$root/etc/resolv.conf" "$root/etc/hostname"
mkdir -p "$cache"
tar --sort=name --mtime=@0 --numeric-owner --xattrs --xattrs-include='security.capability' \
  -C "$root" -cf "$cache/$key.tmp" .
mv "$cache/$key.tmp" "$cache/$key"
# Only today's tarball is kept.
find "$cache" -maxdepth 1 -name "debian-$suite-minbase-*.tar" ! -name "$key" -delete
cp "$cache/$key" "$out"
