/**
 * Parser directives (`# syntax=`, `# escape=`, `# check=`), read from the top
 * of the file as BuildKit reads them: each leading line (BOM stripped, leading
 * white space ignored) matching `#\s*name\s*=\s*value` with a known name is a
 * directive; the first line that is not ends the directives. A repeated
 * directive or a bad escape value is an error.
 */
import type { Span } from "../source/span.ts";
import type { Directive, EscapeChar } from "./ast.ts";
import { isSpace } from "./chars.ts";

const KNOWN = new Set(["syntax", "escape", "check"]);
const RE_DIRECTIVE = /^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;

export interface DirectiveProblem {
  readonly code: "DF003" | "DF004";
  readonly message: string;
  readonly span: Span;
}

export interface DirectiveScan {
  readonly escape: EscapeChar;
  readonly directives: Directive[];
  readonly problems: DirectiveProblem[];
}

export function scanDirectives(text: string): DirectiveScan {
  const directives: Directive[] = [];
  const problems: DirectiveProblem[] = [];
  let esc: EscapeChar = "\\";
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    const end = nl === -1 ? text.length : nl;
    let s = pos;
    while (s < end && isSpace(text.charCodeAt(s))) s++;
    if (text.charCodeAt(s) !== 35) break;
    let e = end;
    while (e > s && (text.charCodeAt(e - 1) === 13 || text.charCodeAt(e - 1) === 10)) e--;
    const m = RE_DIRECTIVE.exec(text.slice(s, e));
    if (m === null) break;
    const name = (m[1] ?? "").toLowerCase();
    if (!KNOWN.has(name)) break;
    const value = m[2] ?? "";
    const span = { start: s, end: e };
    if (directives.some((d) => d.name === name)) {
      problems.push({ code: "DF003", message: `only one ${name} parser directive can be used`, span });
    } else {
      directives.push({ name, value, span });
      if (name === "escape") {
        if (value === "\\" || value === "`") esc = value;
        else problems.push({ code: "DF004", message: `invalid escape token '${value}' does not match \` or \\`, span });
      }
    }
    if (nl === -1) break;
    pos = nl + 1;
  }
  return { escape: esc, directives, problems };
}

export interface CheckDirective {
  readonly skip: readonly string[];
  readonly error: boolean;
}

/** `# check=skip=A,B;error=true` → { skip, error }; undefined when malformed. */
export function parseCheckDirective(value: string): CheckDirective | undefined {
  let skip: string[] = [];
  let error = false;
  for (const part of value.split(";")) {
    const p = part.trim();
    if (p === "") continue;
    const eq = p.indexOf("=");
    if (eq < 0) return undefined;
    const k = p.slice(0, eq).trim().toLowerCase();
    const v = p.slice(eq + 1).trim();
    if (k === "skip") skip = v.split(",").map((s) => s.trim()).filter((s) => s !== "");
    else if (k === "error") {
      if (v !== "true" && v !== "false") return undefined;
      error = v === "true";
    } else return undefined;
  }
  return { skip, error };
}
