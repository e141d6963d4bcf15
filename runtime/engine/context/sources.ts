/**
 * A COPY/ADD's sources sorted as BuildKit's dispatchCopy sorts them: paths
 * (local or from a stage/image) and URLs in order, then heredoc files
 * (`COPY <<EOF /dest`), with the checks that need no filesystem; then
 * `expandSources`, which the copy and its cache key share: every path source
 * expanded (select.ts) and the sources counted as docker counts them, after
 * wildcard expansion (an unmatched wildcard contributes nothing), so
 * `COPY doesnotexist* foo hello` copies foo as the file hello.
 */
import type { CopyOp } from "../../../compiler/ir/graph.ts";
import { CopyError, commandOf, multipleSourcesError } from "./copy-error.ts";
import { isGitSource, isHttpSource } from "../../../compiler/ir/remote-source.ts";
import { type Match, type SourceTree, selectSource } from "./select.ts";

export type SourceItem =
  | { readonly kind: "path"; readonly src: string }
  | { readonly kind: "url"; readonly src: string }
  | { readonly kind: "inline"; readonly name: string; readonly content: string };

/** Sorts and checks the sources of `op`. */
export function classifySources(op: CopyOp): SourceItem[] {
  const cmd = commandOf(op);
  const inline = new Map(op.inline.map((h) => [h.name, h.content]));
  const used = new Set<string>();
  const paths: SourceItem[] = [];
  const docs: SourceItem[] = [];
  if (op.keepGitDir === true) throw new CopyError("COPY_GIT", `${cmd} --keep-git-dir: git sources are not supported here: no network to git hosts`);
  for (const src of op.sources) {
    const h = /^<<-?(["']?)(.+)\1$/.exec(src);
    const name = h?.[2];
    if (name !== undefined && inline.has(name)) {
      used.add(name);
      docs.push({ kind: "inline", name, content: inline.get(name) as string });
      continue;
    }
    if (isGitSource(src)) {
      if (!op.add) throw new CopyError("COPY_GIT", `source can't be a git ref for COPY: ${src}`);
      throw new CopyError("COPY_GIT", `${src}: git sources are not supported here: no network to git hosts`);
    }
    if (isHttpSource(src)) {
      if (!op.add) throw new CopyError("COPY_URL", `source can't be a URL for COPY: ${src}`);
      if (op.from.type !== "context") throw new CopyError("COPY_URL", `${src}: a URL cannot be read from a stage or an image`);
      paths.push({ kind: "url", src });
      continue;
    }
    paths.push({ kind: "path", src });
  }
  for (const [name, content] of inline) if (!used.has(name)) docs.push({ kind: "inline", name, content });
  return [...paths, ...docs];
}

export type ExpandedItem = Exclude<SourceItem, { kind: "path" }> | { readonly kind: "path"; readonly src: string; readonly matches: readonly Match[] };

/**
 * The sources of `op`, each path source with what it selects in `tree`
 * (asked for only when there is a path source). More than one source after
 * expansion needs a destination ending in `/`.
 */
export async function expandSources(op: CopyOp, tree: () => Promise<SourceTree>): Promise<ExpandedItem[]> {
  const items: ExpandedItem[] = [];
  let root: SourceTree | undefined;
  for (const item of classifySources(op)) {
    if (item.kind !== "path") items.push(item);
    else {
      root ??= await tree();
      items.push({ ...item, matches: await selectSource(root, item.src, { exclude: op.exclude, parents: op.parents }) });
    }
  }
  const count = items.reduce((n, i) => n + (i.kind === "path" ? i.matches.length : 1), 0);
  if (count > 1 && !op.dest.endsWith("/")) throw multipleSourcesError(op);
  return items;
}
