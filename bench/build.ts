/**
 * bench/build: Strata against buildah (overlay driver) on the scenarios of
 * ../shared/design/PERFORMANCE.md, both tools alternating in one run, each scenario
 * cold (empty cache), warm (nothing changed) and touched (one file's mtime
 * changed, its content not). Prints medians, min–max and the ratios, and
 * the targets of issue 6.
 *
 *   node bench/build.ts [--runs 5] [--only tiny,bigctx,multistage,debian-ssh]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Builder, buildahBuilder, repo, strataBuilder } from "./lib/builders.ts";
import { median, summary } from "./lib/measure.ts";
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

function runScenario(s: Scenario): void {
  const dir = join(work, s.name);
  const ctx = join(dir, "ctx");
  mkdirSync(ctx, { recursive: true });
  s.write(ctx);
  const tar = baseTar(s.base);
  const builders: Builder[] = [strataBuilder(dir), buildahBuilder(dir)];
  for (const b of builders) b.importBase(tar, s.baseName);
  const times: Record<string, Record<string, number[]>> = { strata: { cold: [], warm: [], touched: [] }, buildah: { cold: [], warm: [], touched: [] } };
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    for (const b of i % 2 === 0 ? builders : [...builders].reverse()) {
      b.reset();
      const cold = b.build(ctx, `bench-${s.name}`);
      if (b.name === "strata") peak = Math.max(peak, cold.peakMb);
      const warm = b.build(ctx, `bench-${s.name}`);
      const now = new Date();
      utimesSync(join(ctx, s.touch), now, now);
      const touched = b.build(ctx, `bench-${s.name}`);
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
    console.log(`${mode.padEnd(8)} strata ${summary(st)}  buildah ${summary(bu)}  ratio ${ratio.toFixed(2)}×${verdict}`);
  }
  if (s.name === "bigctx") console.log(`strata peak memory, cold: ${peak.toFixed(0)} MB${peak < 300 ? "  (target < 300 MB: ok)" : "  (target < 300 MB: MISSED)"}`);
}

try {
  console.log(`strata vs buildah, ${runs} runs each, tools alternating`);
  for (const s of SCENARIOS) if (!only || only.includes(s.name)) runScenario(s);
} finally {
  rmSync(work, { recursive: true, force: true });
}

