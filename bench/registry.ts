/**
 * bench/registry: push and pull of the Debian base image over loopback,
 * Strata against skopeo, in the same run (taking turns to go first), against Debian's
 * docker-registry on 127.0.0.1 with its own storage.
 *
 *   node bench/registry.ts [--runs 5] [--source]
 *
 * Strata as the npm package installs it (bench/lib/install.ts), which is what
 * users time; --source runs this clone's bin/strata.js instead.
 *
 * push: the image from a Strata store (layers uncompressed, so both tools
 * compress): `strata push` with its compressed-blob cache emptied first, and
 * `skopeo copy oci:<root>:debian:bookworm docker://…`; each run against a
 * new registry (new port, empty storage) so neither tool can skip or mount
 * a blob (skopeo remembers where it pushed blobs in its blob-info cache). pull: into a fresh root / OCI dir. Also
 * shown: a warm Strata push (the compressed blob remembered, registry empty).
 * Each tool compresses as it does by default: Strata gzip level 1 in 4 MiB members
 * (image/compression.ts), skopeo gzip through pgzip at its default level (gzip.DefaultCompression); the sizes of
 * the layer each pushed are printed. Target (issue 23): ≤ 1.0× skopeo.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { startRegistry } from "../specs/registry/helpers.ts";
import { repoRoot, tempDir } from "../specs/helpers/strata.ts";
import { installPackage } from "./lib/install.ts";
import { measure, median, summary } from "./lib/measure.ts";

const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf("--runs") + 1] || 5) || 5;
const fromSource = argv.includes("--source");
const work = tempDir("bench-registry");
const [strataCmd, strataArgs] = fromSource ? [process.execPath, [join(repoRoot, "bin/strata.js")]] : [installPackage(work), []];

function debianTar(): string {
  const cache = "/var/cache/strata-test";
  const found = readdirSync(cache, { withFileTypes: true })
    .filter((e) => e.isFile() && /^debian-bookworm-.*\.tar$/.test(e.name))
    .map((e) => join(cache, e.name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (found) return found;
  const out = join(tempDir("bench-debian"), "debian.tar");
  const r = spawnSync("bash", [join(repoRoot, "scripts/debian-rootfs.sh"), out], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("scripts/debian-rootfs.sh failed");
  return out;
}

/** The size of the biggest layer repository `repo` of the registry in `dir` links to (docker-registry's filesystem layout). */
function layerSize(dir: string, repo: string): number {
  const v2 = join(dir, "data/docker/registry/v2");
  const layers = join(v2, "repositories", repo, "_layers/sha256");
  if (!existsSync(layers)) return 0;
  return Math.max(0, ...readdirSync(layers).map((hex) => statSync(join(v2, "blobs/sha256", hex.slice(0, 2), hex, "data")).size));
}

/** Runs `a` then `b`, or `b` then `a`; answers in the order a, b. */
function pair<T>(aFirst: boolean, a: () => T, b: () => T): [T, T] {
  if (aFirst) {
    const x = a();
    return [x, b()];
  }
  const y = b();
  return [a(), y];
}

const strata = (root: string, args: string[]) => measure(strataCmd, [...strataArgs, "--root", root, ...args]);

const root = tempDir("bench-registry-root");
try {
  const tar = debianTar();
  strata(root, ["import", tar, "debian:bookworm"]);
  const size = statSync(tar).size;
  console.log(`Debian image: ${(size / 1e6).toFixed(1)} MB uncompressed; ${runs} runs, a fresh registry on 127.0.0.1 each, the tools taking turns to go first; Strata ${fromSource ? "from source (bin/strata.js)" : "as the npm package"}`);
  const t = { strataPush: [] as number[], skopeoPush: [] as number[], strataPull: [] as number[], skopeoPull: [] as number[], strataWarmPush: [] as number[] };
  // One untimed round first (page cache, registry warm-up).
  for (let i = 0; i <= runs; i++) {
    const timed = i > 0;
    const reg = await startRegistry();
    rmSync(join(root, "compressed"), { recursive: true, force: true });
    // The tools take turns going first: the first request a fresh registry serves costs it more.
    const strataFirst = i % 2 === 1;
    const [sp, kp] = pair(
      strataFirst,
      () => strata(root, ["push", "-q", "debian:bookworm", `${reg.host}/s${i}/debian:bookworm`]),
      () => measure("skopeo", ["copy", "-q", `oci:${root}:debian:bookworm`, `docker://${reg.host}/k${i}/debian:bookworm`, "--dest-tls-verify=false"]),
    );
    const wp = strata(root, ["push", "-q", "debian:bookworm", `${reg.host}/w${i}/debian:bookworm`]);
    const pullRoot = tempDir("bench-pull");
    const pullDir = tempDir("bench-skopeo");
    const [sl, kl] = pair(
      strataFirst,
      () => strata(pullRoot, ["pull", "-q", `${reg.host}/s${i}/debian:bookworm`]),
      () => measure("skopeo", ["copy", "-q", `docker://${reg.host}/k${i}/debian:bookworm`, `oci:${pullDir}:debian:bookworm`, "--src-tls-verify=false"]),
    );
    rmSync(pullRoot, { recursive: true, force: true });
    rmSync(pullDir, { recursive: true, force: true });
    if (i === 0) console.log(`layer as pushed: strata ${(layerSize(reg.dir, `s${i}/debian`) / 1e6).toFixed(1)} MB, skopeo ${(layerSize(reg.dir, `k${i}/debian`) / 1e6).toFixed(1)} MB`);
    await reg.stop();
    if (!timed) continue;
    t.strataPush.push(sp.seconds);
    t.skopeoPush.push(kp.seconds);
    t.strataWarmPush.push(wp.seconds);
    t.strataPull.push(sl.seconds);
    t.skopeoPull.push(kl.seconds);
  }
  const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2);
  console.log(`push  strata ${summary(t.strataPush)}`);
  console.log(`push  skopeo ${summary(t.skopeoPush)}   ratio ${ratio(t.strataPush, t.skopeoPush)}× (target ≤ 1.0)`);
  console.log(`push  strata, compressed blob remembered ${summary(t.strataWarmPush)}   ratio ${ratio(t.strataWarmPush, t.skopeoPush)}×`);
  console.log(`pull  strata ${summary(t.strataPull)}`);
  console.log(`pull  skopeo ${summary(t.skopeoPull)}   ratio ${ratio(t.strataPull, t.skopeoPull)}× (target ≤ 1.0)`);
} finally {
  rmSync(root, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}
