#!/usr/bin/env bash
# The whole test suite: system packages, type check, lint, specs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-packages.sh runc busybox-static passt buildah skopeo umoci podman docker-registry debootstrap python3-minimal time e2fsprogs git openssh-client openssl bzip2 xz-utils procps zsh fish tini file chromium graphviz
# The ordinary user the rootless specs run Strata as (specs/helpers/rootless.ts); needs root.
if [ "$(id -u)" -eq 0 ]; then bash scripts/rootless-user.sh; fi
# qemu-user-static's emulators for arm64 and arm, registered with the F flag (specs/build/emulated.spec.ts); needs root.
if [ "$(id -u)" -eq 0 ]; then bash scripts/binfmt.sh || echo "strata: no emulators registered: the emulated specs skip" >&2; fi
echo "==> tsc --noEmit"
tsc --noEmit -p .
echo "==> biome lint"
biome lint .
echo "==> dependency rules (.dependency-cruiser.cjs)"
depcruise compiler runtime stdlib --output-type err
echo "==> vitest"
report=$(mktemp)
status=0
vitest run --reporter=default --reporter=json --outputFile.json="$report" || status=$?
# The closing line CI reads: "N passed, N failed".
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)' "$report" || true
rm -f "$report"
exit $status
