/**
 * StrataUnknownDirective: a comment line that looks like a Strata directive
 * (`#`, optional white space, `strata` in any case, optional white space,
 * `:`) but is not one lowering reads, e.g. `# strata: layer` or
 * `# STRATA:LAYER`. Such a line is an ordinary comment and does nothing, so a
 * misspelt `# strata:layer` silently leaves the RUNs merged.
 *
 * The AST keeps no comments, so the check reads the source lines outside
 * every node's span, as lowering reads the text between instructions: lines
 * inside an instruction (continuation lines, heredoc bodies) are never
 * comments between instructions and are not looked at. One finding per line,
 * on the comment from its `#` to the end of the line.
 */
import { suggest } from "../../dockerfile/edit-distance.ts";
import { DIRECTIVE_LIKE, knownDirective, STRATA_DIRECTIVES } from "../../dockerfile/strata-directives.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { finding, RULES } from "../rules.ts";
import type { Check } from "../types.ts";

/** The known directive closest to a look-alike whose word after the colon is `word`, if one is close. */
function closest(word: string): string | undefined {
  const name = suggest(word, STRATA_DIRECTIVES.map((d) => d.slice("strata:".length)));
  return name === undefined ? undefined : `strata:${name}`;
}

export const unknownDirective: Check = (ast, _instructions, source) => {
  const out: Diagnostic[] = [];
  const starts = source.lineStarts;
  let n = 0;
  for (const [i, at] of starts.entries()) {
    while (n < ast.nodes.length && (ast.nodes[n]?.span.end ?? 0) <= at) n++;
    const node = ast.nodes[n];
    if (node !== undefined && node.span.start <= at) continue;
    const text = source.lineText(i + 1);
    const m = DIRECTIVE_LIKE.exec(text);
    if (m === null || knownDirective(text) !== undefined) continue;
    const hash = text.indexOf("#");
    const comment = text.slice(hash).trimEnd();
    out.push(finding(RULES.StrataUnknownDirective, ast.file, { start: at + hash, end: at + hash + comment.length }, comment, closest(m[1] ?? "")));
  }
  return out;
};
