/**
 * NoEmptyContinuation: a blank line inside a continued instruction. The AST
 * drops such lines, so this check reads the source text: a whitespace-only
 * line strictly inside an instruction's span, outside its heredoc bodies.
 * One finding per instruction, on its first empty line.
 */
import type { Heredoc } from "../../dockerfile/ast.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { finding, RULES } from "../rules.ts";
import type { Check } from "../types.ts";

export const noEmptyContinuation: Check = (ast, _instructions, source) => {
  const out: Diagnostic[] = [];
  const starts = source.lineStarts;
  for (const node of ast.nodes) {
    const heredocs: Heredoc[] = [...node.heredocs, ...(node.next?.heredocs ?? [])];
    const first = source.lineCol(node.span.start).line;
    const last = source.lineCol(Math.max(node.span.start, node.span.end - 1)).line;
    for (let line = first + 1; line < last; line++) {
      const at = starts[line - 1] ?? 0;
      if (heredocs.some((h) => at >= h.span.start && at < h.span.end)) continue;
      if (source.lineText(line).trim() !== "") continue;
      out.push(finding(RULES.NoEmptyContinuation, ast.file, { start: at, end: at }));
      break;
    }
  }
  return out;
};
