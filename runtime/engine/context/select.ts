/**
 * What one COPY/ADD path source selects, as BuildKit's file backend and
 * fsutil's copier select it — shared by the copy and by the cache key, so
 * both always see the same thing.
 *
 * - The source is cleaned as `/` + src (`../` cannot climb out; a trailing
 *   `/` is dropped).
 * - Wildcards (Go filepath.Match, per path segment, also in directory
 *   parts): the path is split at the first segment with a wildcard; the
 *   literal part is resolved in the root (symlinks followed inside it), the
 *   rest matched against the paths below it; a matched directory is not
 *   entered. No match is not an error (BuildKit's AllowEmptyWildcard).
 *   `\` escapes a metacharacter inside a wildcard segment (`st\*u?` matches
 *   `st*uv` only); a source with no unescaped wildcard is a path used as
 *   written, backslashes included, as fsutil's ResolveWildcards does. (The
 *   Dockerfile's own escapes are gone by then: word expansion removed them,
 *   as BuildKit's lexer does, so `COPY n\?pe` is the wildcard `n?pe`.)
 * - Each match is then followed (a symlink named as a source, directly or by
 *   a wildcard, copies what it points to, resolved inside the root).
 * - A directory contributes its contents. Inside it, `--exclude` patterns and
 *   the include pattern of `--parents` match the path relative to the
 *   directory (patternmatcher: `**`, `!`, parents); a directory that is not
 *   itself selected but holds selected paths is a "parent" entry, made only
 *   for them. Symlinks inside are never followed.
 * - For the build context, only what .dockerignore keeps is there at all.
 */
import type { BigIntStats } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import { posix } from "node:path";
import { goMatch, hasWildcards, splitWildcards } from "../../../compiler/patterns/go-match.ts";
import { PatternMatcher } from "../../../compiler/patterns/pattern-matcher.ts";
import { mapLimit } from "../../fs/pool.ts";
import { secureJoin } from "../../fs/secure-join.ts";
import { StrataError } from "../../errors/error.ts";

/** Where sources are read from: a directory on disk and what of it is visible. */
export interface SourceTree {
  readonly root: string;
  /** Says whether a root-relative path exists in the source (the context after .dockerignore); absent = everything. */
  readonly visible?: (rel: string) => boolean;
  /** Keep the source's owners when there is no --chown (stages and images; the context is all 0:0). */
  readonly keepOwner: boolean;
  /** For errors: "the build context", "stage 0", "image busybox:latest". */
  readonly label: string;
}

export type EntryKind = "file" | "dir" | "symlink" | "fifo" | "char" | "block" | "socket";

export interface SourceEntry {
  /** Path relative to the match ("" for the match itself), slash-separated. */
  readonly rel: string;
  readonly abs: string;
  readonly st: BigIntStats;
  readonly kind: EntryKind;
  /** false: a directory made only because it holds selected paths. */
  readonly selected: boolean;
  readonly linkTarget?: string;
}

export interface Match {
  /** The matched path, root-relative, before following (its base name names the copy). */
  readonly name: string;
  /** The followed path, root-relative. */
  readonly followed: string;
  readonly top: SourceEntry;
  /** For a directory: what it contributes, parents before children, names sorted. */
  readonly entries: readonly SourceEntry[];
}

export class SourceNotFound extends StrataError {
  constructor(message: string) {
    super("COPY_SOURCE_NOT_FOUND", message);
  }
}

export function kindOf(st: BigIntStats): EntryKind {
  if (st.isDirectory()) return "dir";
  if (st.isSymbolicLink()) return "symlink";
  if (st.isFile()) return "file";
  if (st.isFIFO()) return "fifo";
  if (st.isCharacterDevice()) return "char";
  if (st.isBlockDevice()) return "block";
  return "socket";
}

const rootRel = (root: string, abs: string): string => (abs === root ? "" : abs.slice(root.length + 1));

async function lstatOrNull(p: string): Promise<BigIntStats | null> {
  try {
    return await lstat(p, { bigint: true });
  } catch {
    return null;
  }
}

export interface SelectOptions {
  readonly exclude: readonly string[];
  readonly parents: boolean;
}

/** Splits a `--parents` source at its `/./` pivot: the directory copied and the include pattern below it. */
export function parentsPivot(src: string): { src: string; include: string } {
  const i = src.indexOf("/./");
  const [dir, pattern] = i < 0 ? ["/", src] : [src.slice(0, i) || "/", src.slice(i + 3)];
  return { src: dir, include: posix.normalize(`/${pattern}`).slice(1).replace(/\/$/, "") };
}

/** Resolves a path source (possibly with wildcards) to its matches in `tree`. */
export async function selectSource(tree: SourceTree, source: string, o: SelectOptions): Promise<Match[]> {
  let src = source;
  let include: PatternMatcher | undefined;
  if (o.parents) {
    const p = parentsPivot(source);
    src = p.src;
    if (p.include !== "") include = new PatternMatcher([p.include]);
  }
  const exclude = o.exclude.length > 0 ? new PatternMatcher(o.exclude) : undefined;
  const clean = posix.normalize(`/${src}`).replace(/(.)\/$/, "$1");
  const { dir, pattern } = splitWildcards(clean);
  const visible = tree.visible ?? (() => true);
  let names: string[];
  if (pattern === "") names = [clean.slice(1)];
  else {
    const base = rootRel(tree.root, await secureJoin(tree.root, dir));
    names = [];
    for (const rel of await wildcardMatches(tree, base, pattern)) {
      if (exclude?.matches(rel)) continue;
      names.push(base === "" ? rel : `${base}/${rel}`);
    }
  }
  const matches: Match[] = [];
  for (const name of names) {
    const abs = await secureJoin(tree.root, name);
    const followed = rootRel(tree.root, abs);
    const st = followed === "" || visible(followed) ? await lstatOrNull(abs) : null;
    if (st === null) {
      if (pattern !== "") continue;
      const where = tree.visible ? "in the build context or excluded by .dockerignore" : `in ${tree.label}`;
      // A symlink on the way was followed inside the root: say where it led (never the host).
      const via = followed !== posix.normalize(name).replace(/\/$/, "") ? ` (symlinks resolve inside it: this is "/${followed}" there)` : "";
      throw new SourceNotFound(`"${source}": not found ${where}${via}`);
    }
    const top: SourceEntry = { rel: "", abs, st, kind: kindOf(st), selected: true };
    const entries = top.kind === "dir" ? await walkDir(tree, abs, followed, include, exclude) : [];
    if (include && top.kind !== "dir") throw new SourceNotFound(`"${source}": the part before /./ must be a directory in ${tree.label}`);
    if (include && entries.length === 0 && !hasWildcards(parentsPivot(source).include)) throw new SourceNotFound(`"${source}": not found in ${tree.label}`);
    matches.push({ name, followed, top, entries });
  }
  return matches;
}

/** filepath.Walk + filepath.Match below `base`, pruned per segment (a `*` never crosses `/`). */
async function wildcardMatches(tree: SourceTree, base: string, pattern: string): Promise<string[]> {
  const segs = pattern.split("/");
  const visible = tree.visible ?? (() => true);
  const out: string[] = [];
  const walk = async (rel: string, depth: number): Promise<void> => {
    const abs = rel === "" ? (base === "" ? tree.root : `${tree.root}/${base}`) : `${tree.root}/${base === "" ? rel : `${base}/${rel}`}`;
    let names: string[];
    try {
      names = (await readdir(abs)).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const childRel = rel === "" ? n : `${rel}/${n}`;
      const fromRoot = base === "" ? childRel : `${base}/${childRel}`;
      if (!visible(fromRoot)) continue;
      if (!goMatch(segs[depth] as string, n)) continue;
      if (depth === segs.length - 1) {
        if (goMatch(pattern, childRel)) out.push(childRel);
        continue;
      }
      const st = await lstatOrNull(`${abs}/${n}`);
      if (st?.isDirectory()) await walk(childRel, depth + 1);
    }
  };
  await walk("", 0);
  return out;
}

/** The entries a directory contributes, with include/exclude patterns and visibility applied. */
async function walkDir(tree: SourceTree, dirAbs: string, dirFromRoot: string, include: PatternMatcher | undefined, exclude: PatternMatcher | undefined): Promise<SourceEntry[]> {
  const visible = tree.visible ?? (() => true);
  const walk = async (abs: string, rel: string): Promise<SourceEntry[]> => {
    const out: SourceEntry[] = [];
    const names = (await readdir(abs)).sort();
    const stats = await mapLimit(names, 64, (n) => {
      const childRel = rel === "" ? n : `${rel}/${n}`;
      return visible(dirFromRoot === "" ? childRel : `${dirFromRoot}/${childRel}`) ? lstatOrNull(`${abs}/${n}`) : Promise.resolve(null);
    });
    for (const [k, n] of names.entries()) {
      const childRel = rel === "" ? n : `${rel}/${n}`;
      const fromRoot = dirFromRoot === "" ? childRel : `${dirFromRoot}/${childRel}`;
      if (!visible(fromRoot)) continue;
      const childAbs = `${abs}/${n}`;
      const st = stats[k] ?? null;
      if (st === null) continue;
      const kind = kindOf(st);
      let selected = include ? include.matches(childRel) : true;
      const excluded = exclude?.matches(childRel) ?? false;
      if (excluded) selected = false;
      if (kind !== "dir") {
        if (selected) out.push({ rel: childRel, abs: childAbs, st, kind, selected, ...(kind === "symlink" && { linkTarget: await readlink(childAbs) }) });
        continue;
      }
      // An excluded directory is entered only when an exception could re-include something in it.
      if (excluded && !(exclude as PatternMatcher).mayReinclude(childRel)) continue;
      const inner = await walk(childAbs, childRel);
      if (selected || inner.length > 0) out.push({ rel: childRel, abs: childAbs, st, kind, selected }, ...inner);
    }
    return out;
  };
  return walk(dirAbs, "");
}
