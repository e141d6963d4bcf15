/**
 * moby/patternmatcher, ported: how .dockerignore, `COPY --exclude` and the
 * include pattern of `COPY --parents` match paths in docker and BuildKit.
 * Each pattern is trimmed and Go-cleaned; `!` makes it an exception; the
 * last matching pattern wins; a path also matches when one of its parent
 * directories does (MatchesOrParentMatches).
 *
 * Each pattern compiles as moby's `Pattern.compile` does: an exact string, a
 * prefix (`dir/**`), a suffix (`**` + literal) or, as soon as it holds a
 * wildcard, a class or an escape (`\x`), a Go regexp built from the pattern
 * (`*` → `[^/]*`, `?` → `[^/]`, `**` → any run of directories, other text
 * passed through), which go-regexp.ts turns into a JavaScript RegExp with
 * Go's meaning.
 *
 * We own this port because no npm library has moby's semantics:
 * @balena/dockerignore (what the lint rule used) follows .gitignore, which
 * differs on `!` exceptions inside ignored directories and on escapes, and
 * glob libraries (picomatch, minimatch) have their own wildcard rules.
 * Pure: no file system access.
 */
import { posix } from "node:path";
import { goClean, goMatch, PatternError } from "./go-match.ts";
import { goRegExp } from "./go-regexp.ts";
import { goTrimSpace } from "./go-text.ts";

/** Characters moby escapes when building the regexp: regexp syntax that filepath.Match does not have. */
const SHOULD_ESCAPE = new Set([".", "+", "(", ")", "|", "{", "}", "$"]);

interface Pattern {
  /** The cleaned pattern, without its `!`. */
  readonly text: string;
  readonly exclusion: boolean;
  readonly match: (path: string) => boolean;
}

/** Pattern.compile: the matcher for one cleaned pattern. Throws PatternError for a regexp Go would not compile. */
function compile(cleaned: string): (path: string) => boolean {
  const chars = Array.from(cleaned);
  let re = "^";
  let type: "exact" | "prefix" | "suffix" | "regexp" = "exact";
  let k = 0;
  // `i` counts loop turns, not characters, as moby's loop does (`**` at i === 0 makes a suffix match).
  for (let i = 0; k < chars.length; i++) {
    const ch = chars[k++] as string;
    if (ch === "*") {
      if (chars[k] === "*") {
        k++;
        if (chars[k] === "/") k++;
        if (k >= chars.length) {
          if (type === "exact") type = "prefix";
          else {
            re += ".*";
            type = "regexp";
          }
        } else {
          re += "(.*/)?";
          type = "regexp";
        }
        if (i === 0) type = "suffix";
      } else {
        re += "[^/]*";
        type = "regexp";
      }
    } else if (ch === "?") {
      re += "[^/]";
      type = "regexp";
    } else if (SHOULD_ESCAPE.has(ch)) re += `\\${ch}`;
    else if (ch === "\\") {
      // An escape makes it a regexp match: `a\*b` matches the name `a*b`, not the text `a\*b`.
      if (k < chars.length) {
        re += `\\${chars[k++]}`;
        type = "regexp";
      } else re += "\\";
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
    return (path) => path.endsWith(suffix) || (suffix.startsWith("/") && path === suffix.slice(1));
  }
  const rx = goRegExp(`${re}$`);
  return (path) => rx.test(path);
}

/** moby/patternmatcher.PatternMatcher: .dockerignore-style patterns with `!` exceptions. */
export class PatternMatcher {
  readonly patterns: readonly Pattern[];
  /** Whether any pattern is an exception (`!`). */
  readonly exclusions: boolean;

  /** patternmatcher.New. Throws PatternError for a malformed pattern. */
  constructor(patterns: readonly string[]) {
    const out: Pattern[] = [];
    for (const raw of patterns) {
      let p = goTrimSpace(raw);
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
   * an exception, so a walk must enter an excluded directory. Errs towards
   * yes (the literal part of the exception before its first wildcard or
   * escape is compared); what is entered is still judged by `matches`.
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
