/**
 * Go's `path/filepath.Match`, ported, on slash-separated names: what COPY and
 * ADD sources are matched with (fsutil resolves wildcards with it) and the
 * syntax check moby/patternmatcher runs on every .dockerignore pattern.
 * `*` and `?` never cross `/`, `[...]`/`[^...]` classes, `\` escapes the next
 * character (so `a\*b` names the file `a*b`); a malformed pattern throws
 * PatternError (code BAD_PATTERN), as Go returns ErrBadPattern. Also Go's
 * filepath.Clean and fsutil's wildcard split (a segment with an unescaped
 * `*`, `?` or `[` starts the pattern part; the literal part before it is used
 * as written, escapes included, as fsutil does).
 *
 * We own this port because JavaScript has no filepath.Match, and glob
 * libraries (picomatch, minimatch) add what it does not have: braces,
 * extglobs, `**`, `!` negation. Pure: no file system access.
 */
import { posix } from "node:path";

export class PatternError extends Error {
  readonly code = "BAD_PATTERN";
}

const bad = (pattern: string): PatternError => new PatternError(`syntax error in pattern ${JSON.stringify(pattern)}`);

/** Go's filepath.Clean for slash-separated paths. */
export function goClean(p: string): string {
  if (p === "") return ".";
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

/** Whether a path segment holds an unescaped `*`, `?` or `[` (fsutil's containsWildcards). */
export function hasWildcards(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") i++;
    else if (c === "*" || c === "?" || c === "[") return true;
  }
  return false;
}

/** Splits a clean path at the first segment with a wildcard: the literal directory and the pattern below it. */
export function splitWildcards(p: string): { dir: string; pattern: string } {
  const parts = p.split("/");
  const i = parts.findIndex((s) => hasWildcards(s));
  if (i < 0) return { dir: p, pattern: "" };
  return { dir: parts.slice(0, i).join("/") || (p.startsWith("/") ? "/" : "."), pattern: parts.slice(i).join("/") };
}

function scanChunk(pattern: string[]): { star: boolean; chunk: string[]; rest: string[] } {
  let star = false;
  let p = pattern;
  while (p.length > 0 && p[0] === "*") {
    p = p.slice(1);
    star = true;
  }
  let inrange = false;
  let i = 0;
  scan: for (; i < p.length; i++) {
    switch (p[i]) {
      case "\\":
        if (i + 1 < p.length) i++;
        break;
      case "[":
        inrange = true;
        break;
      case "]":
        inrange = false;
        break;
      case "*":
        if (!inrange) break scan;
    }
  }
  return { star, chunk: p.slice(0, i), rest: p.slice(i) };
}

function getEsc(chunk: string[], whole: string): { r: string; rest: string[] } {
  if (chunk.length === 0 || chunk[0] === "-" || chunk[0] === "]") throw bad(whole);
  let c = chunk;
  if (c[0] === "\\") {
    c = c.slice(1);
    if (c.length === 0) throw bad(whole);
  }
  const r = c[0] as string;
  const rest = c.slice(1);
  if (rest.length === 0) throw bad(whole);
  return { r, rest };
}

function matchChunk(chunkIn: string[], sIn: string[], whole: string): string[] | null {
  let chunk = chunkIn;
  let s = sIn;
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const c = chunk[0];
    if (c === "[") {
      let r = "";
      if (!failed) {
        r = s[0] as string;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk.length > 0 && chunk[0] === "^") {
        negated = true;
        chunk = chunk.slice(1);
      }
      let match = false;
      let nrange = 0;
      for (;;) {
        if (chunk.length > 0 && chunk[0] === "]" && nrange > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const lo = getEsc(chunk, whole);
        chunk = lo.rest;
        let hi = lo.r;
        if (chunk[0] === "-") {
          const h = getEsc(chunk.slice(1), whole);
          hi = h.r;
          chunk = h.rest;
        }
        if (!failed && (lo.r.codePointAt(0) ?? 0) <= (r.codePointAt(0) ?? 0) && (r.codePointAt(0) ?? 0) <= (hi.codePointAt(0) ?? 0)) match = true;
        nrange++;
      }
      if (match === negated) failed = true;
    } else if (c === "?") {
      if (!failed) {
        if (s[0] === "/") failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    } else {
      if (c === "\\") {
        chunk = chunk.slice(1);
        if (chunk.length === 0) throw bad(whole);
      }
      if (!failed) {
        if (chunk[0] !== s[0]) failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    }
  }
  return failed ? null : s;
}

/** Go's filepath.Match on slash-separated names. Throws PatternError for a malformed pattern. */
export function goMatch(pattern: string, name: string): boolean {
  let p = Array.from(pattern);
  let n = Array.from(name);
  outer: while (p.length > 0) {
    const { star, chunk, rest } = scanChunk(p);
    p = rest;
    if (star && chunk.length === 0) return !n.includes("/");
    let err: unknown;
    try {
      const t = matchChunk(chunk, n, pattern);
      if (t !== null && (t.length === 0 || p.length > 0)) {
        n = t;
        continue;
      }
    } catch (e) {
      err = e;
    }
    if (err !== undefined) throw err;
    if (star) {
      for (let i = 0; i < n.length && n[i] !== "/"; i++) {
        const t = matchChunk(chunk, n.slice(i + 1), pattern);
        if (t !== null) {
          if (p.length === 0 && t.length > 0) continue;
          n = t;
          continue outer;
        }
      }
    }
    while (p.length > 0) {
      const s = scanChunk(p);
      p = s.rest;
      matchChunk(s.chunk, [], pattern);
    }
    return false;
  }
  return n.length === 0;
}
