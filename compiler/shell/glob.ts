/**
 * Shell glob patterns of `${V#p}`, `${V%p}`, `${V/p/r}`, compiled to a small
 * program for the matcher (matcher.ts). Same language as BuildKit's
 * convertShellPatternToRegex: `*` is any run of characters (greedy or lazy as
 * asked), `?` one character, `\*` `\?` `\\` literals, `\}` and `\/` drop the
 * backslash; any other `\x` is an error. As with Go's `.`, `*` and `?` never
 * match a newline. No bracket expressions.
 */

import { cpWidth } from "./chars.ts";

export const OP_CHAR = 0;
export const OP_ANY = 1;
export const OP_SPLIT = 2;
export const OP_JMP = 3;
export const OP_MATCH = 4;

/** A linear program: `op[pc]` with arguments `x[pc]` (char or target) and `y[pc]`. */
export interface GlobProgram {
  readonly op: Int32Array;
  readonly x: Int32Array;
  readonly y: Int32Array;
  readonly size: number;
}

export type CompileResult = { ok: true; program: GlobProgram } | { ok: false; message: string };

const BACKSLASH = 0x5c;
const STAR = 0x2a;
const QUESTION = 0x3f;
const RBRACE = 0x7d;
const SLASH = 0x2f;
const BOM = 0xfeff;

/**
 * Compiles `pattern`. `greedy` chooses what each `*` prefers (longest or
 * shortest); matches follow leftmost-first (Perl/Go) priority.
 */
export function compileGlob(pattern: string, greedy: boolean): CompileResult {
  const n = pattern.length;
  // Upper bound: a star takes 3 instructions, plus the final MATCH.
  const cap = 3 * n + 1;
  const op = new Int32Array(cap);
  const x = new Int32Array(cap);
  const y = new Int32Array(cap);
  let size = 0;
  const emit = (o: number, a: number, b: number): void => {
    op[size] = o;
    x[size] = a;
    y[size] = b;
    size++;
  };
  let i = 0;
  // Go's text/scanner skips a byte order mark at the very start.
  if (n > 0 && pattern.charCodeAt(0) === BOM) i = 1;
  while (i < n) {
    let cp = pattern.codePointAt(i) as number;
    i += cpWidth(cp);
    if (cp === STAR) {
      const at = size;
      if (greedy) emit(OP_SPLIT, at + 1, at + 3);
      else emit(OP_SPLIT, at + 3, at + 1);
      emit(OP_ANY, 0, 0);
      emit(OP_JMP, at, 0);
      continue;
    }
    if (cp === QUESTION) {
      emit(OP_ANY, 0, 0);
      continue;
    }
    if (cp === BACKSLASH) {
      const next = i < n ? (pattern.codePointAt(i) as number) : -1;
      if (next === RBRACE || next === SLASH) continue;
      if (next !== STAR && next !== QUESTION && next !== BACKSLASH) {
        const shown = next < 0 ? "at end of pattern" : `'\\${String.fromCodePoint(next)}'`;
        return { ok: false, message: `invalid escape ${shown}` };
      }
      cp = next;
      i += 1;
    }
    emit(OP_CHAR, cp, 0);
  }
  emit(OP_MATCH, 0, 0);
  return { ok: true, program: { op, x, y, size } };
}

/**
 * Reverses a pattern by code points, keeping each `\x` pair in order
 * (`a\*c` → `c\*a`), as BuildKit does to find the shortest or longest suffix
 * with a prefix search.
 */
export function reversePattern(pattern: string): string {
  const cps = Array.from(pattern);
  const last = cps.length - 1;
  const out = new Array<string>(cps.length);
  let i = 0;
  while (i <= last) {
    const ch = cps[i] as string;
    const at = last - i;
    if (ch === "\\" && i !== last) {
      out[at - 1] = ch;
      out[at] = cps[i + 1] as string;
      i += 2;
    } else {
      out[at] = ch;
      i++;
    }
  }
  return out.join("");
}

/** Reverses a string by code points. */
export function reverseString(value: string): string {
  return Array.from(value).reverse().join("");
}
