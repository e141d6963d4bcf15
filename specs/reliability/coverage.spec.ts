/**
 * Every case of the reliability battery (../shared/design/RELIABILITY.md: 49 cases) has at least
 * one test here whose title starts with `case N` (`case 8: …`, `case 40 (acceptance): …`). The
 * list of numbers is read from RELIABILITY.md when it is beside the clone, else it is 1–49.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { sharedPath } from "../helpers/shared-data.ts";

const here = fileURLToPath(new URL(".", import.meta.url));

function battery(): number[] {
  const doc = sharedPath("design/RELIABILITY.md");
  if (!existsSync(doc)) return Array.from({ length: 49 }, (_, i) => i + 1);
  return [...readFileSync(doc, "utf8").matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1]));
}

it("every case of RELIABILITY.md has a spec titled `case N`", () => {
  const covered = new Set<number>();
  for (const f of readdirSync(here).filter((n) => n.endsWith(".spec.ts"))) {
    const text = readFileSync(join(here, f), "utf8");
    for (const m of text.matchAll(/\bit(?:\.\w+(?:\([^)]*\))?)?\(\s*["'`]case (\d+)\b/g)) covered.add(Number(m[1]));
  }
  const cases = battery();
  expect(cases.length).toBe(49);
  expect(cases.filter((n) => !covered.has(n))).toEqual([]);
});
