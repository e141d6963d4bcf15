#!/usr/bin/env bash
# Makes the ordinary user the rootless specs run Strata as (specs/rootless/): `strata-rootless`,
# with a home, a subordinate uid and gid range of 65536 from /etc/subuid and /etc/subgid (what
# `useradd` gives a new user on Debian), and the checkout readable by it. Also gives /dev/net/tun
# the mode udev gives it on a Debian system (0666), which some machines' images leave at 0600:
# pasta needs it for a rootless container's private network. `strata-nosubid` is a user with no
# range, for the refusal. Run as root; idempotent.
# Usage: scripts/rootless-user.sh [USER]
set -euo pipefail
user=${1:-strata-rootless}
[ "$(id -u)" -eq 0 ] || { echo "strata: scripts/rootless-user.sh must run as root" >&2; exit 1; }
bash "$(dirname "$0")/ensure-packages.sh" uidmap fuse-overlayfs slirp4netns
id -u "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
if ! grep -q "^$user:" /etc/subuid || ! grep -q "^$user:" /etc/subgid; then
  # The first 65536 ids above every range already given out.
  start=$(awk -F: 'BEGIN { m = 100000 } { e = $2 + $3; if (e > m) m = e } END { print m }' /etc/subuid /etc/subgid 2>/dev/null || echo 100000)
  grep -q "^$user:" /etc/subuid || echo "$user:$start:65536" >>/etc/subuid
  grep -q "^$user:" /etc/subgid || echo "$user:$start:65536" >>/etc/subgid
fi
# A second user with no range at all: the specs check rootless mode's refusal for it.
if ! id -u strata-nosubid >/dev/null 2>&1; then
  useradd --create-home --shell /bin/bash strata-nosubid
fi
sed -i '/^strata-nosubid:/d' /etc/subuid /etc/subgid
[ -c /dev/net/tun ] && chmod 0666 /dev/net/tun
exit 0
