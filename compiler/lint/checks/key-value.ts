/** LegacyKeyValueFormat: the `key value` form of ENV and LABEL. */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { finding, RULES } from "../rules.ts";
import type { Check } from "../types.ts";

/** `ENV key value` / `LABEL key value`: the whitespace form is ambiguous and legacy. */
export const legacyKeyValueFormat: Check = (ast, instructions) => {
  const out: Diagnostic[] = [];
  for (const ins of instructions) {
    if (ins.kind !== "ENV" && ins.kind !== "LABEL") continue;
    for (const p of ins.pairs) if (p.legacy) out.push(finding(RULES.LegacyKeyValueFormat, ast.file, p.span, ins.kind));
  }
  return out;
};
