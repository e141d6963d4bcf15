#!/usr/bin/env bash
# The whole test suite: system packages, type check, lint, specs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-packages.sh runc busybox-static buildah skopeo umoci podman docker-registry debootstrap
echo "==> tsc --noEmit"
tsc --noEmit -p .
echo "==> biome lint"
biome lint .
echo "==> vitest"
vitest run
