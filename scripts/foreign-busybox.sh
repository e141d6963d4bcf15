#!/usr/bin/env bash
# Prints the directory of Debian's busybox-static for another architecture (arm64, armhf, …),
# unpacked, not installed, into a cache of its own (/var/cache/strata-test as root, else
# $XDG_CACHE_HOME/strata-test): the foreign base images the multi-platform specs and the arm64
# bench scenario build on. As root it adds the architecture to dpkg's list when missing, so apt
# can download its packages. Usage: scripts/foreign-busybox.sh ARCH
set -euo pipefail
arch=$1
if [ "$(id -u)" -eq 0 ]; then cache=/var/cache/strata-test; else cache=${XDG_CACHE_HOME:-$HOME/.cache}/strata-test; fi
dir="$cache/busybox-static-$arch"
if [ ! -x "$dir/bin/busybox" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  chmod 755 "$tmp" # apt's download runs as _apt
  if ! (cd "$tmp" && apt-get download "busybox-static:$arch" >/dev/null 2>&1); then
    [ "$(id -u)" -eq 0 ] || { echo "strata: busybox-static:$arch is not downloadable (as root: dpkg --add-architecture $arch && apt-get update)" >&2; exit 1; }
    dpkg --print-foreign-architectures | grep -qx "$arch" || dpkg --add-architecture "$arch"
    apt-get update -qq
    (cd "$tmp" && apt-get download "busybox-static:$arch" >/dev/null)
  fi
  mkdir -p "$dir.tmp.$$"
  dpkg-deb -x "$tmp"/busybox-static_*.deb "$dir.tmp.$$"
  rm -rf "$dir"
  mv "$dir.tmp.$$" "$dir"
fi
echo "$dir"
