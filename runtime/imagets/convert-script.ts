/**
 * A continued shell-form command as `strata convert` writes it: a multi-line
 * `sh` template that keeps the Dockerfile's own line breaks, so a long RUN
 * reads as it was written instead of one string of joined lines.
 *
 * `sh` joins a line ending in a backslash to the next exactly as the
 * Dockerfile joined them (stdlib/image.ts), so the script, and the cache key,
 * stay the same. Comment and blank lines inside the continuation (which the
 * Dockerfile drops) come back as `//` comments to put above the call. The
 * template is checked by running `sh` on it: when it would not give the very
 * script, there is no template and the caller writes a plain string.
 */
import type { EscapeChar } from "../../compiler/dockerfile/ast.ts";
import { sh } from "../../stdlib/image.ts";

export interface ScriptTemplate {
  /** The `sh\`…\`` expression. */
  readonly template: string;
  /** The comment lines of the continuation, as `//` lines. */
  readonly comments: readonly string[];
}

/** Escapes text for a template literal's raw text: a backtick and `${`. */
function templateText(s: string): string {
  return s.replace(/`|\$\{/g, (m) => `\\${m}`);
}

/**
 * The `sh` template for `script`, the joined shell-form command of an
 * instruction whose source text is `text`; undefined when the instruction is
 * one line, uses the backtick escape, or cannot be written so.
 */
export function scriptTemplate(text: string, script: string, escapeChar: EscapeChar): ScriptTemplate | undefined {
  if (escapeChar !== "\\") return undefined;
  const physical = text.replace(/\s+$/, "").split(/\r?\n/);
  if (physical.length < 2) return undefined;
  const comments: string[] = [];
  const pieces: string[] = [];
  for (const [n, line] of physical.entries()) {
    if (n > 0 && /^\s*#/.test(line)) comments.push(`// ${line.replace(/^\s*#\s?/, "")}`.trimEnd());
    else if (n === 0 || line.trim() !== "") pieces.push(line);
  }
  const continued = pieces.slice(0, -1).map((l) => /\\[ \t]*$/.exec(l));
  if (continued.some((m) => m === null)) return undefined;
  const joined = pieces.map((l, n) => (n < pieces.length - 1 ? l.replace(/\\[ \t]*$/, "") : l));
  // The script is the end of the joined text: drop what comes before it (keyword, flags).
  let skip = joined.join("").length - script.length;
  if (skip < 0 || !joined.join("").endsWith(script)) return undefined;
  const lines: string[] = [];
  for (const piece of joined) {
    const cut = Math.min(skip, piece.length);
    skip -= cut;
    if (lines.length > 0 || piece.length > cut) lines.push(piece.slice(cut));
  }
  if (lines.length < 2) return undefined;
  const raw = lines.map(templateText).join("\\\n");
  const strings = Object.assign([raw], { raw: [raw] }) as unknown as TemplateStringsArray;
  if (sh(strings).script !== script) return undefined;
  return { template: `sh\`${raw}\``, comments };
}
