/**
 * Runs differential cases by hand and prints their differences and timings:
 *   node specs/differential/run-case.ts [--keep] [NAME...]   (no NAME: every case)
 */
import { cases } from "./cases.ts";
import { caseDir, formatDifferences, runDifferential } from "./harness.ts";

const argv = process.argv.slice(2);
const keep = argv.includes("--keep");
const names = argv.filter((a) => a !== "--keep");
let failed = 0;
for (const name of names.length > 0 ? names : Object.keys(cases)) {
  const c = cases[name];
  if (!c) throw new Error(`no such case: ${name}`);
  const r = await runDifferential({ ...c, name, dir: caseDir(c.dir ?? name), keep });
  const status = r.differences.length === 0 ? "PASS" : "FAIL";
  if (status === "FAIL") failed++;
  console.log(`${status} ${name} ${JSON.stringify(r.timings)}${keep ? ` ${r.workDir}` : ""}`);
  if (r.differences.length > 0) console.log(`  ${formatDifferences(r.differences).replace(/\n/g, "\n  ")}`);
}
process.exitCode = failed === 0 ? 0 : 1;
