/**
 * StrataRunMerge (info): RUN instructions that Strata merges into one layer.
 * Two RUNs merge when they are adjacent in the same stage (no instruction, not
 * even an invalid one, between them: so user, env, workdir and shell are the
 * same), run with the same --network, --security and --mount flags, and no
 * `# strata:layer` comment line separates them. One finding per merged group,
 * on its first RUN. `runMergeGroups` is the same rule as data, for the pass
 * that does the merging.
 */
import type { DockerfileAst, Instruction, MountSpec, Node, RunInstruction } from "../../dockerfile/ast.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { SourceFile } from "../../source/source-file.ts";
import { finding, RULES } from "../rules.ts";
import { splitStages } from "../stages.ts";
import type { Check } from "../types.ts";

/** A comment line that asks for a layer boundary. */
const LAYER_MARK = /^[ \t]*#[ \t]*strata:layer\b/m;

function mountKey(m: MountSpec): string {
  const { span: _span, ...rest } = m;
  return JSON.stringify(rest, Object.keys(rest).sort());
}

function sameFlags(a: RunInstruction, b: RunInstruction): boolean {
  if ((a.network ?? "default") !== (b.network ?? "default")) return false;
  if ((a.security ?? "sandbox") !== (b.security ?? "sandbox")) return false;
  if (a.mounts.length !== b.mounts.length) return false;
  return a.mounts.every((m, i) => mountKey(m) === mountKey(b.mounts[i] as MountSpec));
}

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
        sameFlags(last, ins) &&
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
