/**
 * `../shared/` beside the repository clone holds data the project may not
 * copy: BuildKit's conformance suite (CI has it; a clone elsewhere may not).
 * Specs that need it declare themselves with `describeWithShared`: with the
 * data they run; without it they print one line saying so and skip, unless
 * `CI` is set, where missing data is a failure (CI must not pass by skipping).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "vitest";
import { repoRoot } from "./strata.ts";

/** The shared data folder: ../shared from the repository root. */
export const SHARED = resolve(repoRoot, "..", "shared");

/** A folder of ../shared/, e.g. "conformance/buildkit/shell". */
export function sharedPath(rel: string): string {
  return join(SHARED, rel);
}

const noticed = new Set<string>();

/** `describe` for specs that read `../shared/<rel>` (see the header). */
export function describeWithShared(name: string, rel: string, body: () => void): void {
  const dir = sharedPath(rel);
  if (existsSync(dir)) {
    describe(name, body);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it(`needs ${dir}`, () => {
        throw new Error(`${dir} is missing: CI runs with ../shared beside the clone (CI is set, so this spec may not skip)`);
      });
    });
    return;
  }
  if (!noticed.has(dir)) {
    noticed.add(dir);
    process.stderr.write(`notice: ${dir} is absent: skipping the specs that read it (${name}); they run when ../shared is beside the clone\n`);
  }
  // The body reads the data as it declares its cases: it is not run at all.
  describe.skip(name, () => {
    it(`needs ${dir}`, () => undefined);
  });
}
