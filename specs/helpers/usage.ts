import { existsSync } from "node:fs";
import { expect } from "vitest";
import { strata } from "./strata.ts";

/**
 * Runs `strata build ARGS CTX` against a store root that must never be made, and checks that it
 * is refused as a one-line USAGE error (exit 2) containing `message`, before any work.
 */
export function expectBuildRefused(untouched: string, args: readonly string[], ctx: string, message: string): void {
  const r = strata(untouched, ["build", ...args, ctx]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(/^strata: error\[USAGE\]: /);
  expect(r.stderr).toContain(message);
  expect(existsSync(untouched)).toBe(false);
}
