#!/usr/bin/env bash
# Prints the path of Debian's kubectl (package kubernetes-client), for the spec that checks
# examples/kubernetes/strata-job.yaml. Installed, it is the one on the PATH. Otherwise the package
# is downloaded and unpacked into a cache of its own (/var/cache/strata-test as root, else
# $XDG_CACHE_HOME/strata-test), not installed: on machines whose image ships another `kubectl`
# package, installing kubernetes-client would collide with its /usr/bin/kubectl.
set -euo pipefail
if dpkg-query -W -f='${Status}' kubernetes-client 2>/dev/null | grep -q "install ok installed"; then
  command -v kubectl
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then cache=/var/cache/strata-test; else cache=${XDG_CACHE_HOME:-$HOME/.cache}/strata-test; fi
dir="$cache/kubernetes-client"
[ -x "$dir/usr/bin/kubectl" ] || bash "$(dirname "$0")/debian-unpack.sh" kubernetes-client "$dir"
echo "$dir/usr/bin/kubectl"
