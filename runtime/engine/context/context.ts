import type { Stats } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { readIgnoreFile } from "../../../compiler/patterns/ignore-file.ts";
import { PatternError } from "../../../compiler/patterns/go-match.ts";
import { PatternMatcher } from "../../../compiler/patterns/pattern-matcher.ts";
import { StrataError } from "../../errors/error.ts";
import { mapLimit } from "../../fs/pool.ts";
import { findIgnoreFile } from "../compile/build-file.ts";
import type { Fetched } from "./fetch.ts";

/**
 * The build context: the directory COPY and ADD read from, seen as BuildKit
 * sees it after the client sent it: `.dockerignore` (or
 * `<Dockerfile>.dockerignore` beside the Dockerfile, which wins) applied with
 * moby/patternmatcher semantics — `**`, `!` exceptions (the last matching
 * pattern wins), a leading `/` dropped, a path ignored when a parent
 * directory is. A directory that is itself ignored but holds a re-included
 * path is still present (so that path has a parent). As with BuildKit, the
 * Dockerfile and .dockerignore get no special treatment: ignoring them keeps
 * them out of COPY. Owners are not part of the context (the client sends
 * everything as 0:0).
 */
export interface ContextEntry {
  /** Path relative to the context root, with forward slashes. */
  readonly rel: string;
  readonly abs: string;
  readonly type: "file" | "dir" | "symlink" | "other";
  /** Permission bits (st_mode & 07777). */
  readonly mode: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

/** The matcher of an ignore file's text; a malformed pattern is refused naming `file:line`. */
function ignoreMatcher(file: string, text: string): PatternMatcher {
  try {
    return new PatternMatcher(readIgnoreFile(text));
  } catch (e) {
    if (!(e instanceof PatternError)) throw e;
    // The first line that is bad on its own is the one to name.
    const line = text.split("\n").findIndex((l) => {
      try {
        new PatternMatcher(readIgnoreFile(l));
        return false;
      } catch {
        return true;
      }
    });
    throw new StrataError("BAD_PATTERN", `${file}${line >= 0 ? `:${line + 1}` : ""}: ${e.message}`);
  }
}

export class BuildContext {
  readonly root: string;
  readonly ignore: PatternMatcher;
  /** URLs ADD fetched during this build, by URL: fetched once, reused by the cache key and the copy. */
  readonly fetched = new Map<string, Promise<Fetched>>();
  #entries: Promise<Map<string, ContextEntry>> | undefined;

  private constructor(root: string, ignore: PatternMatcher) {
    this.root = root;
    this.ignore = ignore;
  }

  static async open(root: string, dockerfilePath?: string): Promise<BuildContext> {
    const ignore = await findIgnoreFile(root, dockerfilePath);
    return new BuildContext(root, ignore ? ignoreMatcher(ignore.path, ignore.text) : new PatternMatcher([]));
  }

  /**
   * Which context paths COPY may read: those the context keeps after
   * .dockerignore. Without a .dockerignore that is every path, and the
   * context is not walked at all (a warm build of a big context then
   * walks it once, not twice).
   */
  async visibility(): Promise<(rel: string) => boolean> {
    if (this.ignore.patterns.length === 0) return () => true;
    const entries = await this.entries();
    return (rel) => entries.has(rel);
  }

  /** Whether a relative path is ignored by .dockerignore. */
  ignored(rel: string): boolean {
    return rel !== "" && this.ignore.matches(rel);
  }

  /** Every path of the context as BuildKit receives it (kept paths and the parents of re-included ones). */
  entries(): Promise<Map<string, ContextEntry>> {
    this.#entries ??= this.#walk();
    return this.#entries;
  }

  async #walk(): Promise<Map<string, ContextEntry>> {
    const out = new Map<string, ContextEntry>();
    const walk = async (rel: string): Promise<boolean> => {
      const names = (await readdir(rel === "" ? this.root : join(this.root, rel))).sort();
      const stats = await mapLimit(names, 64, (name) => lstat(join(this.root, rel === "" ? name : `${rel}/${name}`)));
      let kept = false;
      for (const [k, name] of names.entries()) {
        const childRel = rel === "" ? name : `${rel}/${name}`;
        const abs = join(this.root, childRel);
        const st = stats[k] as Stats;
        const type = st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : st.isFile() ? "file" : "other";
        const ignored = this.ignored(childRel);
        const entry: ContextEntry = { rel: childRel, abs, type, mode: st.mode & 0o7777, size: type === "file" ? st.size : 0, mtimeMs: st.mtimeMs, ino: st.ino };
        if (!ignored) out.set(childRel, entry);
        if (type === "dir" && (!ignored || this.ignore.mayReinclude(childRel))) {
          const inner = await walk(childRel);
          if (ignored && inner) out.set(childRel, entry);
          kept ||= inner;
        }
        kept ||= !ignored;
      }
      return kept;
    };
    await walk("");
    return out;
  }

  /** Whether a relative path exists in the context as sent (after .dockerignore). */
  async has(rel: string): Promise<boolean> {
    return rel === "" || (await this.entries()).has(rel);
  }
}
