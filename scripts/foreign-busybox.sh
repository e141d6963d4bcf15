#!/usr/bin/env bash
# Prints the directory of Debian's busybox-static for another architecture (arm64, armhf, …),
# unpacked, not installed, into a cache of its own (/var/cache/strata-test as root, else
# $XDG_CACHE_HOME/strata-test): the foreign bases the emulated specs and the arm64 bench
# scenario build on. Usage: scripts/foreign-busybox.sh ARCH
set -euo pipefail
if [ "$(id -u)" -eq 0 ]; then cache=/var/cache/strata-test; else cache=${XDG_CACHE_HOME:-$HOME/.cache}/strata-test; fi
dir="$cache/busybox-static-$1"
[ -x "$dir/bin/busybox" ] || bash "$(dirname "$0")/debian-unpack.sh" "busybox-static:$1" "$dir"
echo "$dir"
