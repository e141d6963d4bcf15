/**
 * The dependency rules of .dependency-cruiser.cjs (ARCHITECTURE.md) hold for
 * the tree, and they bite: a small tree with one deliberate bad import per
 * rule is refused, each for its own rule.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, tempDir } from "../helpers/strata.ts";

const DEPCRUISE = join(repoRoot, "node_modules/dependency-cruiser/bin/dependency-cruiser.mjs");
const CONFIG = join(repoRoot, ".dependency-cruiser.cjs");

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

/** The violations (json report), and the exit code of the check as `npm test` runs it (err report). */
function cruise(cwd: string): { code: number; violations: Violation[] } {
  const run = (type: string) => spawnSync(process.execPath, [DEPCRUISE, "compiler", "runtime", "stdlib", "--config", CONFIG, "--output-type", type], { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  const out = JSON.parse(run("json").stdout) as { summary: { violations: Violation[] } };
  return { code: run("err").status ?? 1, violations: out.summary.violations };
}

describe("dependency rules", () => {
  const dir = tempDir("deps");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("hold for the tree", () => {
    const r = cruise(repoRoot);
    expect(r.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it("refuse a wrong-way import, a cycle, and an import up the engine's phases", () => {
    const files: Record<string, string> = {
      "compiler/lint/bad.ts": 'import { main } from "../../runtime/cli/main.ts";\nexport const x = main;\n',
      "runtime/cli/main.ts": 'import { put } from "../store/put.ts";\nexport const main = put;\n',
      "runtime/store/put.ts": 'import { usage } from "../cli/usage.ts";\nexport const put = usage;\n',
      "runtime/cli/usage.ts": "export const usage = 1;\n",
      "runtime/fs/a.ts": 'import { b } from "./b.ts";\nexport const a = () => b;\n',
      "runtime/fs/b.ts": 'import { a } from "./a.ts";\nexport const b = () => a;\n',
      "stdlib/image.ts": 'import { lower } from "../compiler/lower/lower.ts";\nexport const image = lower;\n',
      "compiler/lower/lower.ts": "export const lower = 1;\n",
      "runtime/engine/context/hash.ts": 'import { run } from "../exec/run.ts";\nexport const hash = run;\n',
      "runtime/engine/exec/run.ts": "export const run = 1;\n",
      "runtime/engine/plan/plan.ts": 'import { build } from "../build.ts";\nexport const plan = build;\n',
      "runtime/engine/build.ts": "export const build = 1;\n",
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, dirname(path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const r = cruise(dir);
    expect(r.code).not.toBe(0);
    const seen = new Set(r.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`));
    for (const want of [
      "compiler-not-runtime: compiler/lint/bad.ts → runtime/cli/main.ts",
      "runtime-order-store: runtime/store/put.ts → runtime/cli/usage.ts",
      "no-folder-cycles: runtime/cli → runtime/store",
      "no-cycles: runtime/fs/a.ts → runtime/fs/b.ts",
      "stdlib-only-ir: stdlib/image.ts → compiler/lower/lower.ts",
      "engine-phase-context: runtime/engine/context/hash.ts → runtime/engine/exec/run.ts",
      "engine-phase-plan: runtime/engine/plan/plan.ts → runtime/engine/build.ts",
    ]) {
      expect([...seen], want).toContain(want);
    }
  });
});
