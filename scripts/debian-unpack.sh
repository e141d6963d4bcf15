#!/usr/bin/env bash
# Downloads a Debian package (PACKAGE or PACKAGE:ARCH) and unpacks it, not installed, into DIR
# (made whole or not at all: unpacked beside it, then renamed). As root it runs apt-get update
# when the package is not downloadable yet, and first adds ARCH to dpkg's architectures when
# missing. Used by debian-kubectl.sh and foreign-busybox.sh. Usage: scripts/debian-unpack.sh PACKAGE DIR
set -euo pipefail
pkg=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp" # apt's download runs as _apt
if ! (cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1); then
  arch=""
  [ "${pkg#*:}" = "$pkg" ] || arch=${pkg#*:}
  [ "$(id -u)" -eq 0 ] || { echo "strata: $pkg is not downloadable (as root: ${arch:+dpkg --add-architecture $arch && }apt-get update)" >&2; exit 1; }
  if [ -n "$arch" ] && ! dpkg --print-foreign-architectures | grep -qx "$arch" && [ "$arch" != "$(dpkg --print-architecture)" ]; then dpkg --add-architecture "$arch"; fi
  apt-get update -qq
  (cd "$tmp" && apt-get download "$pkg" >/dev/null)
fi
mkdir -p "$(dirname "$dir")" "$dir.tmp.$$"
dpkg-deb -x "$tmp"/*.deb "$dir.tmp.$$"
rm -rf "$dir"
mv "$dir.tmp.$$" "$dir"
