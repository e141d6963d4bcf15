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
  /** Rule names to skip; `["all"]` for `skip=all`. */
  readonly skip: readonly string[];
  readonly error: boolean;
  /** Experimental rules to run; `["all"]` for `experimental=all` (Strata has none yet). */
  readonly experimental: readonly string[];
}

/** Go's strconv.ParseBool. */
function goBool(v: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false;
  return undefined;
}

/** A comma list as BuildKit splits it: each name trimmed. */
const names = (v: string): string[] => v.split(",").map((s) => s.trim());

/**
 * `# check=skip=A,B;error=true;experimental=all` → the check configuration, as BuildKit's
 * linter.ParseLintOptions reads it: up to three `;`-separated `key=value` options (the third
 * takes the rest of the text), keys `skip` (`all` or names), `experimental` (`all` or names)
 * and `error` (a Go boolean: `true`, `1`, `t`, `FALSE`…). A string is the reason it is malformed.
 */
export function parseCheckDirective(value: string): CheckDirective | string {
  const text = value.trim();
  let skip: string[] = [];
  let experimental: string[] = [];
  let error = false;
  if (text === "") return { skip, error, experimental };
  const parts = text.split(";");
  const options = parts.length > 3 ? [...parts.slice(0, 2), parts.slice(2).join(";")] : parts;
  for (const p of options) {
    const eq = p.indexOf("=");
    if (eq < 0) return `invalid check option ${JSON.stringify(p)}`;
    const k = p.slice(0, eq).trim();
    const v = p.slice(eq + 1).trim();
    if (k === "skip") skip = v === "all" ? ["all"] : names(v);
    else if (k === "experimental") experimental = v === "all" ? ["all"] : names(v);
    else if (k === "error") {
      const b = goBool(v);
      if (b === undefined) return `failed to parse check option ${JSON.stringify(p)}: ${JSON.stringify(v)} is not a boolean`;
      error = b;
    } else return `invalid check option ${JSON.stringify(k)}`;
  }
  return { skip, error, experimental };
}
