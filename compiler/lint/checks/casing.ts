/** StageNameCasing, FromAsCasing and ConsistentInstructionCasing: how keywords and names are cased. */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { finding, RULES } from "../rules.ts";
import type { Check } from "../types.ts";

const isLower = (s: string): boolean => s === s.toLowerCase();
const isUpper = (s: string): boolean => s === s.toUpperCase();

export const stageNameCasing: Check = (ast, instructions) => {
  const out: Diagnostic[] = [];
  for (const ins of instructions) {
    if (ins.kind !== "FROM" || ins.stageName === undefined) continue;
    const name = ins.stageName.text;
    if (!isLower(name)) out.push(finding(RULES.StageNameCasing, ast.file, ins.stageName.span, name));
  }
  return out;
};

/** `FROM x as y` or `from x AS y`: the AS keyword should follow FROM's casing. */
export const fromAsCasing: Check = (ast) => {
  const out: Diagnostic[] = [];
  for (const node of ast.nodes) {
    if (node.keyword !== "from" || node.values.length !== 3) continue;
    const as = node.values[1];
    if (as === undefined || as.text.toLowerCase() !== "as") continue;
    const from = node.keywordText;
    if ((isUpper(from) && !isUpper(as.text)) || (isLower(from) && !isLower(as.text))) {
      out.push(finding(RULES.FromAsCasing, ast.file, as.span, from, as.text));
    }
  }
  return out;
};

/**
 * Every keyword should be all upper or all lower case, following the
 * majority of the file's consistently cased keywords (upper on a tie), as
 * BuildKit decides it.
 */
export const consistentInstructionCasing: Check = (ast) => {
  let lower = 0;
  let upper = 0;
  for (const node of ast.nodes) {
    const k = node.keywordText;
    if (isLower(k)) lower++;
    else if (isUpper(k)) upper++;
  }
  const majorityLower = lower > upper;
  const out: Diagnostic[] = [];
  for (const node of ast.nodes) {
    const k = node.keywordText;
    if (majorityLower ? !isLower(k) : !isUpper(k)) {
      out.push(finding(RULES.ConsistentInstructionCasing, ast.file, node.keywordSpan, k, majorityLower ? "lowercase" : "uppercase"));
    }
  }
  return out;
};
