/**
 * Path patterns as docker and BuildKit match them.
 *
 * - `goMatch` (go-match.ts): Go's `path/filepath.Match`, for COPY/ADD sources.
 * - `PatternMatcher`: moby/patternmatcher (what .dockerignore, `--exclude`
 *   and the include patterns of `--parents` use): each pattern is Go-cleaned;
 *   `**` matches any number of directories; `!` re-includes; the last
 *   matching pattern wins; a path also matches when one of its parent
 *   directories does.
 * - `readIgnoreFile`: moby/patternmatcher/ignorefile.ReadAll (comments,
 *   trimming, leading `/` dropped, BOM).
 */
import { posix } from "node:path";
import { goClean, goMatch, hasWildcards, PatternError } from "./go-match.ts";

export { goClean, goMatch, hasWildcards, PatternError, splitWildcards } from "./go-match.ts";

const REGEX_SPECIAL = new Set([".", "$", "+", "(", ")", "{", "}", "^", "|"]);

interface Pattern {
  readonly text: string;
  readonly exclusion: boolean;
  readonly match: (path: string) => boolean;
}

function compile(cleaned: string): (path: string) => boolean {
  const chars = Array.from(cleaned);
  let re = "^";
  let type: "exact" | "prefix" | "suffix" | "regexp" = "exact";
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === "*") {
      if (chars[i + 1] === "*") {
        const first = i === 0;
        i++;
        if (chars[i + 1] === "/") i++;
        if (i + 1 >= chars.length) {
          if (type === "exact") type = "prefix";
          else {
            re += ".*";
            type = "regexp";
          }
        } else {
          re += "(.*/)?";
          type = "regexp";
        }
        if (first) type = "suffix";
      } else {
        re += "[^/]*";
        type = "regexp";
      }
    } else if (ch === "?") {
      re += "[^/]";
      type = "regexp";
    } else if (REGEX_SPECIAL.has(ch)) re += `\\${ch}`;
    else if (ch === "\\") {
      if (i + 1 < chars.length) re += `\\${chars[++i]}`;
      else re += "\\\\";
    } else if (ch === "[" || ch === "]") {
      re += ch;
      type = "regexp";
    } else re += ch;
  }
  if (type === "exact") return (path) => path === cleaned;
  if (type === "prefix") {
    const prefix = cleaned.slice(0, -2);
    return (path) => path.startsWith(prefix);
  }
  if (type === "suffix") {
    const suffix = cleaned.slice(2);
    // A leading `**` followed by more wildcards is a regexp after all.
    if (hasWildcards(suffix)) {
      const rx = new RegExp(`${re}$`, "s");
      return (path) => rx.test(path);
    }
    return (path) => path.endsWith(suffix) || (suffix.startsWith("/") && path === suffix.slice(1));
  }
  const rx = new RegExp(`${re}$`, "s");
  return (path) => rx.test(path);
}

/** moby/patternmatcher.PatternMatcher: .dockerignore-style patterns with `!` exceptions. */
export class PatternMatcher {
  readonly patterns: readonly Pattern[];
  /** Whether any pattern is an exception (`!`). */
  readonly exclusions: boolean;

  constructor(patterns: readonly string[]) {
    const out: Pattern[] = [];
    for (const raw of patterns) {
      let p = raw.trim();
      if (p === "") continue;
      p = goClean(p);
      let exclusion = false;
      if (p.startsWith("!")) {
        if (p.length === 1) throw new PatternError('illegal exclusion pattern: "!"');
        exclusion = true;
        p = p.slice(1);
      }
      goMatch(p, "."); // syntax check, as patternmatcher does
      out.push({ text: p, exclusion, match: compile(p) });
    }
    this.patterns = out;
    this.exclusions = out.some((p) => p.exclusion);
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** MatchesOrParentMatches: `path` (slash-separated, relative) or one of its parents matches, and no later `!` undoes it. */
  matches(path: string): boolean {
    let matched = false;
    const parent = posix.dirname(path);
    const parentDirs = parent === "." ? [] : parent.split("/");
    for (const p of this.patterns) {
      if (p.exclusion !== matched) continue;
      let m = p.match(path);
      if (!m) {
        for (let i = 0; i < parentDirs.length && !m; i++) m = p.match(parentDirs.slice(0, i + 1).join("/"));
      }
      if (m) matched = !p.exclusion;
    }
    return matched;
  }

  /**
   * Whether something under the directory `dir` could still be re-included by
   * an exception, so a walk must enter an excluded directory.
   */
  mayReinclude(dir: string): boolean {
    const withSlash = `${dir}/`;
    for (const p of this.patterns) {
      if (!p.exclusion) continue;
      const literal = p.text.slice(0, p.text.search(/[*?[\\]|$/));
      if (literal.startsWith(withSlash) || withSlash.startsWith(literal)) return true;
    }
    return false;
  }
}

/** moby/patternmatcher/ignorefile.ReadAll: the patterns of a .dockerignore file. */
export function readIgnoreFile(text: string): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  for (const line of lines) {
    if (line.startsWith("#")) continue;
    let p = line.trim();
    if (p === "") continue;
    const invert = p.startsWith("!");
    if (invert) p = p.slice(1).trim();
    if (p.length > 0) {
      p = goClean(p);
      if (p.length > 1 && p.startsWith("/")) p = p.slice(1);
    }
    out.push(invert ? `!${p}` : p);
  }
  return out;
}
