#!/usr/bin/env bash
# Writes a busybox root filesystem tarball (from Debian's busybox-static) to $1:
# /bin/busybox with its applet links, /etc/passwd, /etc/group, /tmp and the
# usual empty directories. Deterministic: same package, same bytes. $2 is another busybox binary
# (another architecture's, from scripts/foreign-busybox.sh: its applet list is read under qemu).
set -euo pipefail
out=${1:?usage: busybox-rootfs.sh OUT.tar [BUSYBOX]}
bb=${2:-/bin/busybox}
[ -x "$bb" ] || { echo "busybox-static is not installed" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,home,var/www,proc,sys,dev}
chmod 1777 "$dir/tmp"
chmod 700 "$dir/root"
cp "$bb" "$dir/bin/busybox"
# The link target relative to the applet's directory, worked out in bash: one spawn (ln) per
# applet instead of three, which matters on a loaded CI machine.
for applet in $("$bb" --list-full); do
  [ "$applet" = "bin/busybox" ] && continue
  d=.
  [ "${applet%/*}" != "$applet" ] && d=${applet%/*}
  [ -d "$dir/$d" ] || mkdir -p "$dir/$d"
  if [ "$d" = bin ]; then
    rel=busybox
  else
    slashes=${applet//[^\/]/}
    rel=""
    for ((i = 0; i < ${#slashes}; i++)); do rel+="../"; done
    rel+=bin/busybox
  fi
  ln -sf "$rel" "$dir/$applet"
done
cat > "$dir/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
PASSWD
cat > "$dir/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
bin:x:2:
tty:x:5:
www-data:x:33:
nogroup:x:65534:
GROUP
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir" -cf "$out" .
