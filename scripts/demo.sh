#!/usr/bin/env bash
# The main job: bootstrap a busybox base image, build examples/hello on it,
# list it, show its history, and run it. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-packages.sh runc busybox-static passt
strata() { node bin/strata.js "$@"; }
export STRATA_ROOT=${STRATA_ROOT:-/var/lib/strata}

if ! strata history busybox:latest >/dev/null 2>&1; then
  echo "==> bootstrapping busybox:latest from Debian's busybox-static"
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  bash scripts/busybox-rootfs.sh "$tmp/busybox.tar"
  strata import "$tmp/busybox.tar" busybox:latest
fi

echo "==> strata build -t hello:latest examples/hello"
strata build -t hello:latest examples/hello
echo "==> strata images"
strata images
echo "==> strata history hello:latest"
strata history hello:latest
echo "==> strata run --rm hello:latest"
strata run --rm hello:latest
