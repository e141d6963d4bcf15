#!/usr/bin/env bash
# Registers qemu-user-static's emulators in binfmt_misc, as binfmt-support or systemd-binfmt would
# at boot (neither runs on a machine without an init, such as CI's): mounts binfmt_misc at
# /proc/sys/fs/binfmt_misc if absent, then writes each /usr/lib/binfmt.d/qemu-*.conf line that is
# not registered yet. Debian's lines carry the F flag: the kernel opens the interpreter now, so it
# runs inside any rootfs (a RUN's), which has no qemu of its own. Needs root; idempotent.
# Usage: scripts/binfmt.sh [CPU...]   (default: aarch64 arm)
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "strata: registering emulators needs root (binfmt_misc is the machine's)" >&2; exit 1; }
bash "$(dirname "$0")/ensure-packages.sh" qemu-user-static
dir=/proc/sys/fs/binfmt_misc
[ -e "$dir/register" ] || mount -t binfmt_misc binfmt_misc "$dir"
cpus=("$@")
[ ${#cpus[@]} -gt 0 ] || cpus=(aarch64 arm)
for cpu in "${cpus[@]}"; do
  conf=/usr/lib/binfmt.d/qemu-$cpu.conf
  [ -f "$conf" ] || { echo "strata: no $conf (qemu-user-static has no emulator named $cpu)" >&2; exit 1; }
  [ -e "$dir/qemu-$cpu" ] || grep -v '^#' "$conf" > "$dir/register"
  grep -qx enabled "$dir/qemu-$cpu" || echo 1 > "$dir/qemu-$cpu"
done
