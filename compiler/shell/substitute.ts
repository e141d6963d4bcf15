/**
 * The pattern operators: `${V#p}` `${V##p}` `${V%p}` `${V%%p}` `${V/p/r}`
 * `${V//p/r}`, with BuildKit's semantics (a suffix is trimmed by reversing
 * pattern and value and trimming a prefix; `//` replaces as Go's
 * Regexp.ReplaceAllString, so `$0` in the replacement is the match).
 */

import { cpWidth, isNameChar } from "./chars.ts";
import { compileGlob, reversePattern, reverseString } from "./glob.ts";
import { GlobMatcher } from "./matcher.ts";

export type SubstituteResult = { ok: true; value: string } | { ok: false; message: string };

function invalid(pattern: string, message: string): SubstituteResult {
  return { ok: false, message: `invalid pattern (${pattern}) in substitution: ${message}` };
}

/** `${V#p}` (shortest) and `${V##p}` (longest). */
export function trimPrefix(pattern: string, value: string, greedy: boolean): SubstituteResult {
  const r = trimPrefixRaw(pattern, value, greedy);
  return r.ok ? r : invalid(pattern, r.message);
}

/** `${V%p}` (shortest) and `${V%%p}` (longest). */
export function trimSuffix(pattern: string, value: string, greedy: boolean): SubstituteResult {
  const r = trimPrefixRaw(reversePattern(pattern), reverseString(value), greedy);
  return r.ok ? { ok: true, value: reverseString(r.value) } : invalid(pattern, r.message);
}

function trimPrefixRaw(pattern: string, value: string, greedy: boolean): SubstituteResult {
  const compiled = compileGlob(pattern, greedy);
  if (!compiled.ok) return compiled;
  const m = new GlobMatcher(compiled.program).search(value, 0, true);
  return { ok: true, value: m === null ? value : value.slice(m.end) };
}

/** `${V/p/r}` (first match, replacement literal) and `${V//p/r}` (all). */
export function replacePattern(
  pattern: string,
  value: string,
  replacement: string,
  all: boolean,
): SubstituteResult {
  const compiled = compileGlob(pattern, true);
  if (!compiled.ok) return invalid(pattern, compiled.message);
  const matcher = new GlobMatcher(compiled.program);
  if (!all) {
    const m = matcher.search(value, 0, false);
    if (m === null) return { ok: true, value };
    return { ok: true, value: value.slice(0, m.start) + replacement + value.slice(m.end) };
  }
  // Go's Regexp.replaceAll: an empty match right after a match is not
  // replaced, and the search always advances by at least one character.
  const end = value.length;
  let out = "";
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= end) {
    const m = matcher.search(value, searchPos, false);
    if (m === null) break;
    out += value.slice(lastMatchEnd, m.start);
    if (m.end > lastMatchEnd || m.start === 0) {
      out += expandTemplate(replacement, value.slice(m.start, m.end));
    }
    lastMatchEnd = m.end;
    const width = searchPos < end ? cpWidth(value.codePointAt(searchPos) as number) : 0;
    if (searchPos + width > m.end) searchPos += width;
    else if (searchPos + 1 > m.end) searchPos++;
    else searchPos = m.end;
  }
  return { ok: true, value: out + value.slice(lastMatchEnd) };
}

const DOLLAR = 0x24;
const LBRACE = 0x7b;
const RBRACE = 0x7d;

/**
 * Go's Regexp.Expand for a regexp without groups: `$$` is `$`, `$0` and
 * `${0}` the match, any other `$name` / `${name}` empty, a malformed `$`
 * literal.
 */
export function expandTemplate(template: string, match: string): string {
  if (template.indexOf("$") < 0) return template;
  const n = template.length;
  let out = "";
  let i = 0;
  for (;;) {
    const d = template.indexOf("$", i);
    if (d < 0) break;
    out += template.slice(i, d);
    const rest = d + 1;
    if (template.charCodeAt(rest) === DOLLAR) {
      out += "$";
      i = rest + 1;
      continue;
    }
    const brace = template.charCodeAt(rest) === LBRACE;
    const nameStart = brace ? rest + 1 : rest;
    let j = nameStart;
    while (j < n) {
      const cp = template.codePointAt(j) as number;
      if (!isNameChar(cp)) break;
      j += cpWidth(cp);
    }
    if (j === nameStart || (brace && template.charCodeAt(j) !== RBRACE)) {
      out += "$";
      i = rest;
      continue;
    }
    if (j - nameStart === 1 && template.charCodeAt(nameStart) === 0x30) out += match;
    i = brace ? j + 1 : j;
  }
  return out + template.slice(i);
}
