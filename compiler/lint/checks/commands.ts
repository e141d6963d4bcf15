/** JSONArgsRecommended, MultipleInstructionsDisallowed and MaintainerDeprecated. */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { finding, RULES } from "../rules.ts";
import { ancestry, splitStages } from "../stages.ts";
import type { Check } from "../types.ts";

/**
 * CMD and ENTRYPOINT in shell form run under `/bin/sh -c`, which does not pass
 * signals on. As in BuildKit, an explicit SHELL (in the stage or a stage it
 * is based on) says the shell is intended, and silences the rule.
 */
export const jsonArgsRecommended: Check = (ast, instructions) => {
  const out: Diagnostic[] = [];
  for (const stage of splitStages(instructions).stages) {
    const inherited = ancestry(stage)
      .slice(1)
      .some((s) => s.instructions.some((i) => i.kind === "SHELL"));
    let shellSet = inherited;
    for (const ins of stage.instructions) {
      if (ins.kind === "SHELL") shellSet = true;
      if ((ins.kind === "CMD" || ins.kind === "ENTRYPOINT") && ins.command.form === "shell" && !shellSet) {
        out.push(finding(RULES.JSONArgsRecommended, ast.file, ins.node.rest.text === "" ? ins.node.keywordSpan : ins.node.rest.span, ins.kind));
      }
    }
  }
  return out;
};

/** Only the last CMD, ENTRYPOINT and HEALTHCHECK of a stage count: the earlier ones are reported. */
export const multipleInstructionsDisallowed: Check = (ast, instructions) => {
  const out: Diagnostic[] = [];
  for (const stage of splitStages(instructions).stages) {
    for (const kind of ["CMD", "ENTRYPOINT", "HEALTHCHECK"] as const) {
      const all = stage.instructions.filter((i) => i.kind === kind);
      for (const ins of all.slice(0, -1)) out.push(finding(RULES.MultipleInstructionsDisallowed, ast.file, ins.node.keywordSpan, kind));
    }
  }
  return out;
};

export const maintainerDeprecated: Check = (ast) => {
  const out: Diagnostic[] = [];
  for (const node of ast.nodes) {
    if (node.keyword === "maintainer") out.push(finding(RULES.MaintainerDeprecated, ast.file, node.keywordSpan));
  }
  return out;
};
