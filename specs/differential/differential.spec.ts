/**
 * Differential specs: every case under cases/ is built by Strata and by buildah 1.28 from the same
 * busybox base, and the images must agree (config fields and the whole file tree), except where
 * the case states the Dockerfile reference's result instead of buildah's (see cases.ts).
 * A failing case prints one line per difference (`formatDifferences`). Two cases run at a time.
 */
import { describe, expect, it } from "vitest";
import { cases } from "./cases.ts";
import { caseDir, formatDifferences, runDifferential } from "./harness.ts";

const PARALLEL = 2;
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(f: () => Promise<T>): Promise<T> {
  if (running >= PARALLEL) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await f();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

describe("differential: Strata against buildah", { concurrent: true }, () => {
  for (const [name, c] of Object.entries(cases)) {
    it(name, { timeout: 240_000 }, async () => {
      const r = await slot(() => runDifferential({ ...c, name, dir: caseDir(c.dir ?? name) }));
      if (process.env.STRATA_DIFF_VERBOSE) console.info(name, JSON.stringify(r.timings));
      expect(formatDifferences(r.differences)).toBe("");
    });
  }
});
