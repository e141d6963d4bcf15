/**
 * StrataCdInRun: a RUN whose script starts with `cd DIR &&` (or `;`) and goes
 * on: the directory change is what WORKDIR is for, and WORKDIR also keeps it
 * for the instructions after. A `cd` later in the script, in a subshell, to a
 * computed directory or to `-` is left alone.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { finding, RULES } from "../rules.ts";
import { runPieces, simpleCommands } from "../run-scripts.ts";
import type { Check } from "../types.ts";

export const cdInRun: Check = (ast, instructions, source) => {
  const out: Diagnostic[] = [];
  for (const ins of instructions) {
    if (ins.kind !== "RUN") continue;
    const pieces = runPieces(ins, source);
    const script = pieces[0];
    if (script === undefined || script.kind !== "script") continue;
    // A heredoc-only RUN (`RUN <<EOF`) runs its first heredoc as the script.
    const piece = script.text.trimStart().startsWith("<<") ? pieces.find((p) => p.kind === "heredoc") : script;
    if (piece === undefined || piece.text.trimStart().startsWith("(")) continue;
    const cmds = simpleCommands(piece.text);
    const first = cmds[0];
    if (first === undefined || cmds.length < 2 || first.words.length !== 2 || first.words[0]?.text !== "cd") continue;
    if (first.next !== "&&" && first.next !== ";" && first.next !== "\n") continue;
    const dir = first.words[1];
    if (dir === undefined || dir.text === "-" || /[$`]/.test(dir.text)) continue;
    const cd = first.words[0];
    out.push(finding(RULES.StrataCdInRun, ast.file, piece.span(cd.start, dir.end), dir.text));
  }
  return out;
};
