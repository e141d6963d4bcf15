/**
 * A COPY/ADD's sources sorted as BuildKit's dispatchCopy sorts them: paths
 * (local or from a stage/image) and URLs in order, then heredoc files
 * (`COPY <<EOF /dest`), with the checks that need no filesystem.
 */
import type { CopyOp } from "../../../compiler/ir/graph.ts";
import { CopyError, commandOf, multipleSourcesError } from "./copy-error.ts";
import { isGitSource, isHttpSource } from "../../../compiler/ir/remote-source.ts";

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
  if (paths.length + docs.length > 1 && !op.dest.endsWith("/")) throw multipleSourcesError(op);
  return [...paths, ...docs];
}
