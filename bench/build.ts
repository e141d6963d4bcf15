/**
 * bench/build: Strata against buildah (overlay driver) on the scenarios of
 * ../shared/design/PERFORMANCE.md, both tools alternating in one run, each scenario
 * cold (empty cache), warm (nothing changed) and touched (one file's mtime
 * changed, its content not; for edit-run, the last RUN edited). Prints
 * medians, min–max and the ratios, and the targets of issues 6 and 14. An
 * edit scenario is also built by Strata with --no-merge, and the merged
 * rebuild compared with that one (issue 14: merging costs no cache hit).
 * Strata is the package as users install it (bench/lib/install.ts).
 *
 *   node bench/build.ts [--runs 5] [--only tiny,bigctx,multistage,debian-ssh,argbase,edit-run,arm64,multiarch]
 *
 * With --rootless (issue 20; as root, with the user scripts/rootless-user.sh makes), tiny and
 * bigctx (or --only) are built by root Strata, by Strata as that ordinary user (rootless by
 * itself) and by rootless buildah as the same user, alternating in one run; the targets are
 * rootless ≤ 1.3× root Strata (every mode) and ≤ 0.5× rootless buildah on tiny cold.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Builder, buildahBuilder, type RunAs, repo, strataBuilder } from "./lib/builders.ts";
import { median, summary } from "./lib/measure.ts";
import { installPackage } from "./lib/install.ts";
import { SCENARIOS, type Scenario } from "./lib/scenarios.ts";

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const runs = Number(opt("runs") ?? 5);
const rootless = argv.includes("--rootless");
const only = opt("only")?.split(",") ?? (rootless ? ["tiny", "bigctx"] : undefined);

/** The ordinary user of --rootless. */
function rootlessUser(): RunAs {
  const user = process.env.STRATA_BENCH_USER ?? "strata-rootless";
  const r = spawnSync("getent", ["passwd", user], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`--rootless needs the user ${user}: run scripts/rootless-user.sh as root first`);
  return { user, home: r.stdout.split(":")[5] as string };
}

const work = mkdtempSync(join(tmpdir(), "strata-bench-"));
// The rootless builders' user reads the installed package, the contexts and the bases.
chmodSync(work, 0o755);
const bases = join(work, "bases");
mkdirSync(bases);

function baseTar(name: Scenario["base"]): string {
  const out = join(bases, `${name}.tar`);
  const script = name === "debian" ? "scripts/debian-rootfs.sh" : "scripts/busybox-rootfs.sh";
  // The arm64 base: Debian's busybox-static for arm64 (its applet list read under qemu).
  const busybox = name === "busybox-arm64" ? [join(spawnSync("bash", [join(repo, "scripts/foreign-busybox.sh"), "arm64"], { encoding: "utf8" }).stdout.trim(), "bin/busybox")] : [];
  const r = spawnSync("bash", [join(repo, script), out, ...busybox], { encoding: "utf8", stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`${script} failed`);
  return out;
}

type Times = Record<string, Record<string, number[]>>;

/** The scenario's directory with its context written: [dir, ctx, Dockerfile]. */
function scenarioDir(s: Scenario): [string, string, string | undefined] {
  const dir = join(work, s.name);
  const ctx = join(dir, "ctx");
  mkdirSync(ctx, { recursive: true });
  s.write(ctx);
  return [dir, ctx, s.dockerfile === undefined ? undefined : join(ctx, s.dockerfile)];
}

/** Cold, warm and touched builds by each builder, alternating, `runs` times; the peak memory of root Strata's cold builds. */
function timeBuilders(s: Scenario, builders: readonly Builder[], ctx: string, file: string | undefined): { times: Times; peak: number } {
  const tar = baseTar(s.base);
  for (const b of builders) b.importBase(tar, s.baseName, s.platform);
  const times: Record<string, Record<string, number[]>> = Object.fromEntries(builders.map((b) => [b.name, { cold: [], warm: [], touched: [] }]));
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    for (const b of i % 2 === 0 ? builders : [...builders].reverse()) {
      b.reset();
      const platform = s.buildPlatforms ?? s.platform;
      const cold = b.build(ctx, `bench-${s.name}`, file, platform);
      if (b.name === "strata") peak = Math.max(peak, cold.peakMb);
      const warm = b.build(ctx, `bench-${s.name}`, file, platform);
      const now = new Date();
      if (s.edit) s.edit(ctx, i);
      else utimesSync(join(ctx, s.touch), now, now);
      const touched = b.build(ctx, `bench-${s.name}`, file, platform);
      if (s.edit) s.write(ctx);
      const t = times[b.name] as Record<string, number[]>;
      t.cold?.push(cold.seconds);
      t.warm?.push(warm.seconds);
      t.touched?.push(touched.seconds);
    }
  }
  return { times, peak };
}

function runScenario(s: Scenario, strataCommand: string): void {
  const [dir, ctx, file] = scenarioDir(s);
  const builders: Builder[] = [strataBuilder(dir, strataCommand), buildahBuilder(dir), ...(s.edit ? [strataBuilder(dir, strataCommand, ["--no-merge"])] : [])];
  const { times, peak } = timeBuilders(s, builders, ctx, file);
  console.log(`\n== ${s.name}: ${s.description}`);
  for (const mode of ["cold", "warm", "touched"]) {
    const st = times.strata?.[mode] as number[];
    const bu = times.buildah?.[mode] as number[];
    const ratio = median(st) / median(bu);
    const target = s.targets[mode as keyof Scenario["targets"]];
    const verdict = target === undefined ? "" : ratio <= target ? `  target ≤ ${target}×: ok` : `  target ≤ ${target}×: MISSED`;
    console.log(`${(s.edit && mode === "touched" ? "edited" : mode).padEnd(8)} strata ${summary(st)}  buildah ${summary(bu)}  ratio ${ratio.toFixed(2)}×${verdict}`);
  }
  const strata = builders[0] as Builder;
  if (s.edit && strata.plain) {
    // One more edit, with plain progress: the apt step must come from the cache.
    s.edit(ctx, runs);
    const out = strata.plain(ctx, `bench-${s.name}`);
    s.write(ctx);
    const apt = out.split("\n").findIndex((l) => /RUN apt-get update/.test(l));
    const cached = apt >= 0 && /CACHED/.test(out.split("\n")[apt + 1] ?? "");
    console.log(`edited   the apt step after an edit of the last RUN: ${cached ? "CACHED (ok)" : "RAN AGAIN (MISSED)"}`);
  }
  const nm = times["strata --no-merge"];
  if (nm) {
    for (const mode of ["cold", "touched"]) {
      const r = median(times.strata?.[mode] as number[]) / median(nm[mode] as number[]);
      const target = mode === "touched" ? s.targets.vsNoMerge : undefined;
      const verdict = target === undefined ? "" : r <= target ? `  target ≤ ${target}×: ok` : `  target ≤ ${target}×: MISSED`;
      console.log(`${(mode === "touched" ? "edited" : mode).padEnd(8)} strata ÷ strata --no-merge (${summary(nm[mode] as number[])}): ${r.toFixed(2)}×${verdict}`);
    }
  }
  if (s.name === "bigctx") console.log(`strata peak memory, cold: ${peak.toFixed(0)} MB${peak < 300 ? "  (target < 300 MB: ok)" : "  (target < 300 MB: MISSED)"}`);
}

const verdict = (ratio: number, target: number | undefined): string => (target === undefined ? "" : ratio <= target ? `  target ≤ ${target}×: ok` : `  target ≤ ${target}×: MISSED`);

function runRootless(s: Scenario, strataCommand: string, user: RunAs): void {
  const [dir, ctx, file] = scenarioDir(s);
  const builders = [strataBuilder(dir, strataCommand), strataBuilder(dir, strataCommand, [], user), buildahBuilder(dir, user)];
  const { times } = timeBuilders(s, builders, ctx, file);
  console.log(`\n== ${s.name} (rootless): ${s.description}`);
  for (const mode of ["cold", "warm", "touched"]) {
    const [root, rl, bu] = ["strata", "strata rootless", "buildah rootless"].map((n) => times[n]?.[mode] as number[]) as [number[], number[], number[]];
    const vsRoot = median(rl) / median(root);
    const vsBuildah = median(rl) / median(bu);
    console.log(`${mode.padEnd(8)} rootless strata ${summary(rl)}  root strata ${summary(root)}  rootless buildah ${summary(bu)}`);
    console.log(`${"".padEnd(8)} rootless ÷ root strata ${vsRoot.toFixed(2)}×${verdict(vsRoot, 1.3)}  rootless strata ÷ rootless buildah ${vsBuildah.toFixed(2)}×${verdict(vsBuildah, s.name === "tiny" && mode === "cold" ? 0.5 : undefined)}`);
  }
}

try {
  const user = rootless ? rootlessUser() : undefined;
  console.log(rootless ? `rootless strata (as ${user?.user}) vs root strata vs rootless buildah, ${runs} runs each, tools alternating` : `strata vs buildah, ${runs} runs each, tools alternating`);
  console.log("installing the package (npm pack, npm install -g --prefix) …");
  const strata = installPackage(work);
  for (const s of SCENARIOS) if (!only || only.includes(s.name)) (rootless ? runRootless(s, strata, user) : runScenario(s, strata));
} finally {
  rmSync(work, { recursive: true, force: true });
}

