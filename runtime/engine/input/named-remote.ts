/**
 * buildx's remote named contexts, made directories: `--build-context NAME=GIT-URL#ref:subdir` is
 * cloned as a git build context is (git-context.ts, with its bounds), and `NAME=https://…` is
 * downloaded (url-context.ts): a tarball (plain, gzip, bzip2, xz, zstd) is extracted as the
 * context (archive-context.ts, within the layer limits), anything else is one file named
 * `context`, as buildx unpacks it (llb.Copy of `/context` with AttemptUnpack).
 */
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { archiveKind } from "../../layer/archive-kind.ts";
import { extractContext } from "./archive-context.ts";
import { cloneGitContext } from "./git-context.ts";
import { downloadContext } from "./url-context.ts";

export interface RemoteContext {
  readonly type: "git" | "url";
  readonly url: string;
}

/** Makes the context `name` in the empty directory `dir`; returns its root (inside `dir`). */
export async function fetchNamedContext(name: string, spec: RemoteContext, dir: string): Promise<string> {
  const shown = `${name}=${spec.url}`;
  const root = join(dir, "context");
  await mkdir(root);
  if (spec.type === "git") return cloneGitContext(spec.url, root, `build context ${shown}`);
  const file = join(dir, "download");
  await downloadContext(spec.url, file, `build context ${shown}`);
  if ((await archiveKind(file)) !== undefined) await extractContext(file, shown, root);
  else await rename(file, join(root, "context"));
  await rm(file, { force: true });
  return root;
}
