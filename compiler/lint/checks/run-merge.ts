/**
 * StrataRunMerge (info): RUN instructions whose layers Strata combines into
 * one, by the rule of compiler/passes/merge-runs.ts. Two RUNs share a layer
 * when they are adjacent in the same stage (no instruction between them, not
 * even a config-only or an invalid one) and no `# strata:layer` comment line
 * separates them (in image.ts: the later one is not `newLayer`). Each RUN
 * still runs alone and is cached alone, so shell, exec form, heredocs,
 * --mount, --network and --security do not matter. One
 * finding per merged group, on its first RUN. `runMergeGroups` is the same
 * rule as data.
 */
import type { DockerfileAst, Instruction, Node, RunInstruction } from "../../dockerfile/ast.ts";
import { LAYER_MARK } from "../../dockerfile/strata-directives.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { SourceFile } from "../../source/source-file.ts";
import { finding, RULES } from "../rules.ts";
import { splitStages } from "../stages.ts";
import type { Check } from "../types.ts";

/** Groups of two or more RUNs that merge into one layer, in file order. */
export function runMergeGroups(ast: DockerfileAst, instructions: readonly Instruction[], source: SourceFile): RunInstruction[][] {
  const position = new Map<Node, number>();
  for (const [i, n] of ast.nodes.entries()) position.set(n, i);
  const groups: RunInstruction[][] = [];
  for (const stage of splitStages(instructions).stages) {
    let group: RunInstruction[] = [];
    let prev: Instruction | undefined;
    const flush = (): void => {
      if (group.length > 1) groups.push(group);
      group = [];
    };
    for (const ins of stage.instructions) {
      if (ins.kind !== "RUN") {
        flush();
        prev = ins;
        continue;
      }
      const last = group[group.length - 1];
      const adjacent =
        last !== undefined &&
        prev === last &&
        position.get(ins.node) === (position.get(last.node) ?? -2) + 1 &&
        ins.newLayer !== true &&
        !LAYER_MARK.test(source.text.slice(last.node.span.end, ins.node.span.start));
      if (!adjacent) flush();
      group.push(ins);
      prev = ins;
    }
    flush();
  }
  return groups;
}

export const runMerge: Check = (ast, instructions, source) => {
  const out: Diagnostic[] = [];
  for (const group of runMergeGroups(ast, instructions, source)) {
    const first = group[0] as RunInstruction;
    const last = group[group.length - 1] as RunInstruction;
    const from = source.lineCol(first.node.span.start).line;
    const to = source.lineCol(last.node.span.start).line;
    out.push(finding(RULES.StrataRunMerge, ast.file, first.node.keywordSpan, group.length, from, to));
  }
  return out;
};
