/**
 * Strata's own directives: comment lines between instructions, `# strata:NAME`,
 * that Docker ignores as comments and Strata reads. Today there is one:
 * `# strata:layer`, a layer boundary before the next RUN (lowering sets
 * `Step.boundary`; compiler/passes/merge-runs.ts then keeps that RUN out of
 * the layer of the RUN before it).
 *
 * A directive line is `#`, optional spaces or tabs, then the directive in
 * lower case, ending at a word boundary; leading spaces or tabs are allowed.
 * The regexes are multi-line (`^` at any line start) so they can be tested
 * against the source text between two instructions.
 */

/** Every known directive, as written after `# `. */
export const STRATA_DIRECTIVES = ["strata:layer"] as const;

export type StrataDirective = (typeof STRATA_DIRECTIVES)[number];

function directiveLine(name: StrataDirective): RegExp {
  return new RegExp(`^[ \\t]*#[ \\t]*${name}\\b`, "m");
}

/** A `# strata:layer` comment line: a layer boundary before the next instruction. */
export const LAYER_MARK: RegExp = directiveLine("strata:layer");

const KNOWN: readonly RegExp[] = STRATA_DIRECTIVES.map(directiveLine);

/**
 * A comment line that looks like a Strata directive: `#`, optional white
 * space, `strata` in any case, optional white space, `:`. Group 1 is the word
 * after the colon (after optional white space), possibly empty.
 */
export const DIRECTIVE_LIKE = /^[ \t]*#[ \t]*strata[ \t]*:[ \t]*([\w-]*)/i;

/** The directive a comment line is, as lowering reads it; undefined when it is none. */
export function knownDirective(line: string): StrataDirective | undefined {
  const i = KNOWN.findIndex((re) => re.test(line));
  return i < 0 ? undefined : STRATA_DIRECTIVES[i];
}
