/**
 * Where a build reads its build file and context from, as `docker build` takes them:
 * - a directory, or a Dockerfile (or image.ts) whose directory is the context: used in place;
 * - `-`: stdin, sniffed as docker does (its DetectArchiveReader): a tar (plain, gzip, zstd) is
 *   the context, anything else is the Dockerfile with an empty context;
 * - a tarball file: the context (told by its content, never read as a Dockerfile);
 * - a git URL (`#ref:subdir`): cloned (git-context.ts);
 * - another http(s) URL: downloaded (url-context.ts), a tarball the context, anything else the
 *   Dockerfile with an empty context (docker's "remote tarballs" and "text files");
 * and `-f -`: the Dockerfile on stdin. `-f` names a file inside a tarball or git context, as
 * docker's does. What is not a local directory is made one in a scratch directory under the
 * store's tmp (extracted safely: archive-context.ts), removed by `close()` (a killed build's is
 * reclaimed by store/reclaim.ts: its name carries the pid); diagnostics name the build file as
 * the user would (`Dockerfile`, not the scratch path).
 */
import { mkdir, mkdtemp, rename, rm, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import { StrataError } from "../../errors/error.ts";
import { archiveKind } from "../../layer/archive-kind.ts";
import { extractContext } from "./archive-context.ts";
import { cloneGitContext, isGitContext } from "./git-context.ts";
import { spool } from "./spool.ts";
import { downloadContext, isUrlContext } from "./url-context.ts";

/**
 * What diagnostics call the build file when the build reads it from a scratch copy (a context
 * from stdin, a tarball or git; `-f -`): `context` replaces the context's path in the default
 * name ("" shows just `Dockerfile`), `file` replaces the path `-f` gave.
 */
export interface ShownNames {
  readonly context?: string | undefined;
  readonly file?: string | undefined;
}

export interface BuildInputRequest {
  /** The context argument: a directory, a file, `-`, a tarball or a git URL. */
  readonly context: string;
  /** -f, as given (`-`: stdin). */
  readonly file?: string | undefined;
  /** Where scratch directories go (the store's tmp: same filesystem, cleaned with it). */
  readonly tmp: string;
  /** Read only when the context or -f is `-`. */
  readonly stdin: () => Readable;
}

/** What compile takes (CompileRequest's path, file and shown), and the scratch to remove. */
export interface BuildInput {
  readonly path: string;
  readonly file: string | undefined;
  readonly shown: ShownNames;
  close(): Promise<void>;
}

/** `-f NAME` inside an extracted or cloned context: must stay inside it. */
function fileInside(root: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const path = resolve(root, file);
  const rel = relative(root, path);
  if (rel === ".." || rel.startsWith(`..${sep}`)) throw new StrataError("USAGE", `-f ${file}: the Dockerfile must be inside the build context`);
  return path;
}

/** Resolves the build's inputs; `close()` removes what was made for them (always call it). */
export async function openBuildInput(r: BuildInputRequest): Promise<BuildInput> {
  if (r.context === "-" && r.file === "-") throw new StrataError("USAGE", "invalid argument: can't use stdin for both build context and dockerfile");
  const local = r.context !== "-" && !isGitContext(r.context) && !isUrlContext(r.context);
  const kind = local && (await stat(r.context).catch(() => undefined))?.isFile() ? await archiveKind(r.context) : undefined;
  if (local && kind === undefined && r.file !== "-") return { path: r.context, file: r.file, shown: {}, close: async () => {} };
  await mkdir(r.tmp, { recursive: true });
  const scratch = await mkdtemp(join(r.tmp, `build-input-${process.pid}-`));
  const close = (): Promise<void> => rm(scratch, { recursive: true, force: true });
  try {
    const dockerfile = join(scratch, "Dockerfile");
    const made = join(scratch, "context");
    let path = r.context;
    let madeDockerfile = r.file === "-";
    if (r.context === "-" || isUrlContext(r.context)) {
      const stdin = r.context === "-";
      const spooled = join(scratch, "download");
      if (stdin) await spool(r.stdin(), spooled, "build context on stdin");
      else await downloadContext(r.context, spooled, `build context ${r.context}`);
      await mkdir(made);
      path = made;
      if ((await archiveKind(spooled)) === undefined) {
        // A Dockerfile on stdin or at the URL: the context is empty (docker: "build without any context").
        await rename(spooled, dockerfile);
        madeDockerfile = true;
      } else {
        await extractContext(spooled, stdin ? "from stdin" : r.context, made);
        await rm(spooled);
      }
    } else if (kind !== undefined) {
      await mkdir(made);
      await extractContext(r.context, r.context, made);
      path = made;
    } else if (!local) {
      await mkdir(made);
      path = await cloneGitContext(r.context, made);
    }
    // -f -: the Dockerfile from stdin, beside (not in) the context.
    if (r.file === "-") await spool(r.stdin(), dockerfile, "Dockerfile on stdin");
    if (madeDockerfile) return { path, file: dockerfile, shown: { file: "Dockerfile" }, close };
    // A local directory is used in place, -f as the user gave it; in a made context -f names a file inside it.
    if (path === r.context) return { path, file: r.file, shown: {}, close };
    return { path, file: fileInside(path, r.file), shown: { context: "", file: r.file }, close };
  } catch (e) {
    await close();
    throw e;
  }
}
