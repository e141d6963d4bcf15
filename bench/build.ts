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
 *   node bench/build.ts [--runs 5] [--only tiny,bigctx,multistage,debian-ssh,argbase,edit-run]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Builder, buildahBuilder, repo, strataBuilder } from "./lib/builders.ts";
import { median, summary } from "./lib/measure.ts";
import { installPackage } from "./lib/install.ts";
import { SCENARIOS, type Scenario } from "./lib/scenarios.ts";

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const runs = Number(opt("runs") ?? 5);
const only = opt("only")?.split(",");

const work = mkdtempSync(join(tmpdir(), "strata-bench-"));
const bases = join(work, "bases");
mkdirSync(bases);

function baseTar(name: "busybox" | "debian"): string {
  const out = join(bases, `${name}.tar`);
  const script = name === "busybox" ? "scripts/busybox-rootfs.sh" : "scripts/debian-rootfs.sh";
  const r = spawnSync("bash", [join(repo, script), out], { encoding: "utf8", stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`${script} failed`);
  return out;
}

function runScenario(s: Scenario, strataCommand: string): void {
  const dir = join(work, s.name);
  const ctx = join(dir, "ctx");
  mkdirSync(ctx, { recursive: true });
  s.write(ctx);
  const file = s.dockerfile === undefined ? undefined : join(ctx, s.dockerfile);
  const tar = baseTar(s.base);
  const builders: Builder[] = [strataBuilder(dir, strataCommand), buildahBuilder(dir), ...(s.edit ? [strataBuilder(dir, strataCommand, ["--no-merge"])] : [])];
  for (const b of builders) b.importBase(tar, s.baseName);
  const times: Record<string, Record<string, number[]>> = Object.fromEntries(builders.map((b) => [b.name, { cold: [], warm: [], touched: [] }]));
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    for (const b of i % 2 === 0 ? builders : [...builders].reverse()) {
      b.reset();
      const cold = b.build(ctx, `bench-${s.name}`, file);
      if (b.name === "strata") peak = Math.max(peak, cold.peakMb);
      const warm = b.build(ctx, `bench-${s.name}`, file);
      const now = new Date();
      if (s.edit) s.edit(ctx, i);
      else utimesSync(join(ctx, s.touch), now, now);
      const touched = b.build(ctx, `bench-${s.name}`, file);
      if (s.edit) s.write(ctx);
      const t = times[b.name] as Record<string, number[]>;
      t.cold?.push(cold.seconds);
      t.warm?.push(warm.seconds);
      t.touched?.push(touched.seconds);
    }
  }
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

try {
  console.log(`strata vs buildah, ${runs} runs each, tools alternating`);
  console.log("installing the package (npm pack, npm install -g --prefix) …");
  const strata = installPackage(work);
  for (const s of SCENARIOS) if (!only || only.includes(s.name)) runScenario(s, strata);
} finally {
  rmSync(work, { recursive: true, force: true });
}

