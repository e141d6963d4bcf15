/**
 * The CI gate of `strata layers` (dive's CI mode, wagoodman/dive runtime/ci/rules.go): up to
 * three rules over a LayerAnalysis, each passing or failing with a line that says by how much.
 * - wasted-bytes (dive's highestWastedBytes): fails when the wasted bytes exceed the limit;
 * - efficiency (lowestEfficiency): fails when the efficiency score is below the limit;
 * - wasted-percent (highestUserWastedPercent, a ratio 0..1 despite its name): fails when the
 *   wasted bytes exceed that share of the user layers' bytes (all layers but the first).
 * The wasted bytes are Strata's (bytes a later layer deletes or replaces: analyze.ts), which for a
 * file written twice counts the overwritten copy only, where dive counts both copies.
 */
import type { LayerAnalysis } from "./analyze.ts";

export interface GateLimits {
  readonly wastedBytes?: number;
  readonly efficiency?: number;
  readonly wastedRatio?: number;
}

export interface RuleResult {
  readonly rule: "wasted-bytes" | "efficiency" | "wasted-percent";
  readonly limit: number;
  readonly actual: number;
  readonly pass: boolean;
  /** What was measured against what, in a few words. */
  readonly message: string;
}

export interface GateResult {
  readonly pass: boolean;
  readonly rules: readonly RuleResult[];
}

const round = (x: number): number => Math.round(x * 10000) / 10000;
const pct = (x: number): string => `${Math.round(x * 10000) / 100} %`;

export function evaluateGate(a: LayerAnalysis, limits: GateLimits): GateResult {
  const rules: RuleResult[] = [];
  if (limits.wastedBytes !== undefined) {
    const pass = a.wastedBytes <= limits.wastedBytes;
    rules.push({ rule: "wasted-bytes", limit: limits.wastedBytes, actual: a.wastedBytes, pass, message: `${a.wastedBytes} bytes wasted ${pass ? "<=" : ">"} limit ${limits.wastedBytes}` });
  }
  if (limits.efficiency !== undefined) {
    const pass = a.efficiency >= limits.efficiency;
    rules.push({ rule: "efficiency", limit: limits.efficiency, actual: a.efficiency, pass, message: `efficiency ${round(a.efficiency)} ${pass ? ">=" : "<"} limit ${limits.efficiency}` });
  }
  if (limits.wastedRatio !== undefined) {
    const pass = a.wastedUserRatio <= limits.wastedRatio;
    rules.push({ rule: "wasted-percent", limit: limits.wastedRatio, actual: a.wastedUserRatio, pass, message: `wasted ${pct(a.wastedUserRatio)} of the user layers' bytes ${pass ? "<=" : ">"} limit ${pct(limits.wastedRatio)}` });
  }
  return { pass: rules.every((r) => r.pass), rules };
}
