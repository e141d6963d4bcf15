/**
 * WorkdirRelativePath: a relative WORKDIR resolves against the base image's
 * working directory, which can change under you, unless an absolute WORKDIR
 * was set earlier in the stage or in a stage it is based on. Paths that start
 * with a variable are left alone (their value is not known here).
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { finding, RULES } from "../rules.ts";
import { ancestry, splitStages } from "../stages.ts";
import type { Check } from "../types.ts";

const isAbsolute = (p: string): boolean => p.startsWith("/") || /^[A-Za-z]:[\\/]/.test(p);

export const workdirRelativePath: Check = (ast, instructions) => {
  const out: Diagnostic[] = [];
  for (const stage of splitStages(instructions).stages) {
    let absoluteSet = ancestry(stage)
      .slice(1)
      .some((s) => s.instructions.some((i) => i.kind === "WORKDIR" && isAbsolute(i.path.text)));
    for (const ins of stage.instructions) {
      if (ins.kind !== "WORKDIR") continue;
      const p = ins.path.text;
      if (isAbsolute(p)) absoluteSet = true;
      else if (!absoluteSet && !p.startsWith("$")) out.push(finding(RULES.WorkdirRelativePath, ast.file, ins.path.span, p));
    }
  }
  return out;
};
