/** DuplicateStageName and ReservedStageName. */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { finding, RULES } from "../rules.ts";
import type { Check } from "../types.ts";

/** Names a stage cannot take: they already mean something to FROM and COPY --from. */
const RESERVED: ReadonlySet<string> = new Set(["context", "scratch"]);

export const duplicateStageName: Check = (ast, instructions) => {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const ins of instructions) {
    if (ins.kind !== "FROM" || ins.stageName === undefined) continue;
    const name = ins.stageName.text.toLowerCase();
    if (seen.has(name)) out.push(finding(RULES.DuplicateStageName, ast.file, ins.stageName.span, name));
    seen.add(name);
  }
  return out;
};

export const reservedStageName: Check = (ast, instructions) => {
  const out: Diagnostic[] = [];
  for (const ins of instructions) {
    if (ins.kind !== "FROM" || ins.stageName === undefined) continue;
    const name = ins.stageName.text.toLowerCase();
    if (RESERVED.has(name)) out.push(finding(RULES.ReservedStageName, ast.file, ins.stageName.span, name));
  }
  return out;
};
