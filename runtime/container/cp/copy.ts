/**
 * `cp` between a container and the host, both directions, on a running or a stopped
 * container, as docker's: the source becomes a tar of one resource (rules.ts says under what
 * name, and into which directory it is extracted), or the tar is stdin / stdout (`-`).
 *
 * The container's side is resolved as its processes see it (view.ts: symlinks followed inside
 * the container, binds); the extraction is rooted at the resolved destination directory, so
 * neither a link in the container nor an entry of a tar on stdin writes outside the container
 * (or, copying out, outside the host destination). A running container is paused meanwhile
 * (rootfs.ts `frozen`), so nothing swaps a checked directory for a symlink.
 *
 * Owners, as docker's reference states them: copied into a container, files are root's; copied
 * out, the invoking user's; with `archive` (-a) they keep the source's. (docker's daemon differs
 * from its reference here, moby#45793; the reference is what users read.)
 */
import { lstat, realpath, stat } from "node:fs/promises";
import { basename, dirname, posix } from "node:path";
import type { Readable, Writable } from "node:stream";
import { StrataError } from "../../errors/error.ts";
import { applyLayer } from "../../layer/apply-layer.ts";
import { decompressed } from "../../layer/decompress.ts";
import { writeResource } from "../../layer/write-layer.ts";
import type { Store } from "../../store/store.ts";
import { frozen, withRootfs } from "../rootfs.ts";
import type { ContainerRecord } from "../state.ts";
import { absolutePath, type CopyInfo, CopyPathError, planCopy, splitPathDirEntry } from "./rules.ts";
import { type Owner, transfer } from "./transfer.ts";
import { type ContainerView, containerView } from "./view.ts";

export interface CopyOptions {
  /** -L: follow a symlink named as the source. */
  readonly followLink: boolean;
  /** -a: keep the source's owners. */
  readonly archive: boolean;
}

/** What was copied: its size (a file's bytes, else the tar's), for docker's "Successfully copied". */
export interface Copied {
  readonly bytes: number;
}

const invoker = (): Owner => ({ uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 });
const ROOT: Owner = { uid: 0, gid: 0 };
const assertsDirectory = (p: string): boolean => p.endsWith("/") || p.endsWith("/.");

/** docker's words when a container path is not there. */
export class CopyNotFoundError extends StrataError {
  constructor(path: string, container: string) {
    super("CP_NOT_FOUND", `Could not find the file ${path} in container ${container}`);
  }
}

async function inContainer<T>(store: Store, rec: ContainerRecord, work: (view: ContainerView) => Promise<T>): Promise<T> {
  return withRootfs(store, rec, (rootfs) => frozen(store, rec, async () => work(await containerView(store.layout.root, rec, rootfs))));
}

/** The tar's directory and top name for a source at host path `host`: `dir/.` and `/` are their contents. */
function resourceOf(host: string, path: string): { dir: string; top: string } {
  return path.endsWith("/.") || path === "/" ? { dir: host, top: "." } : { dir: dirname(host), top: basename(host) };
}

/** The name a source's top takes in the tar: its own as given (a link followed with -L keeps the link's name, as docker rebases it). */
function ownName(path: string): string {
  const base = splitPathDirEntry(path)[1];
  return base === "/" ? "." : base;
}

/** docker's CopyInfoDestinationPath on the host: symlinks followed; a missing path's parent must be a directory. */
async function hostDestination(path: string): Promise<CopyInfo> {
  const real = await realpath(path).catch(() => undefined);
  if (real !== undefined) return { path: real, exists: true, isDir: (await stat(real)).isDirectory() };
  const [parent] = splitPathDirEntry(path);
  const st = await stat(parent).catch(() => undefined);
  if (st === undefined) throw new CopyPathError(`the destination directory must exist: ${parent}`);
  if (!st.isDirectory()) throw new CopyPathError(`not a directory: ${parent}`);
  return { path, exists: false, isDir: false };
}

/** `cp CONTAINER:SRC DEST|-`: `dest` is stdout for `-`. */
export async function copyFromContainer(store: Store, rec: ContainerRecord, src: string, dest: string | Writable, o: CopyOptions): Promise<Copied> {
  const srcPath = absolutePath(src);
  return inContainer(store, rec, async (view) => {
    // `dir/` and `dir/.` go through a link named dir, as the kernel would.
    const resolved = await view.resolve(srcPath, o.followLink || assertsDirectory(srcPath));
    const host = view.host(resolved);
    const st = await lstat(host).catch(() => undefined);
    if (st === undefined) throw new CopyNotFoundError(srcPath, rec.name);
    if (assertsDirectory(srcPath) && !st.isDirectory()) throw new CopyPathError(`not a directory: ${rec.name}:${srcPath}`);
    const { dir, top } = resourceOf(host, srcPath.endsWith("/.") ? srcPath : resolved);
    if (typeof dest !== "string") return { bytes: (await writeResource(dir, { top, as: ownName(srcPath) }, dest)).size };
    const dst = await hostDestination(absolutePath(dest, process.cwd()));
    const plan = planCopy({ path: srcPath, exists: true, isDir: st.isDirectory() }, dst, dest);
    const bytes = await transfer(dir, { top, as: plan.topName }, plan.extractDir, o.archive ? undefined : invoker());
    return { bytes: st.isDirectory() ? bytes : st.size };
  });
}

/** docker's CopyInfoSourcePath on the host: lstat, or with -L the link's target (named as the link). */
async function hostSource(path: string, followLink: boolean): Promise<{ info: CopyInfo; host: string; size: number }> {
  let host = path.endsWith("/.") ? path.slice(0, -2) || "/" : path;
  let st = await lstat(host);
  if ((followLink || assertsDirectory(path)) && st.isSymbolicLink()) {
    host = await realpath(host);
    st = await lstat(host);
  }
  if (assertsDirectory(path) && !st.isDirectory()) throw new CopyPathError(`not a directory: ${path}`);
  return { info: { path, exists: true, isDir: st.isDirectory() }, host, size: st.size };
}

/** docker's check of an existing destination in the container: followed when a link, a directory or a regular file. */
async function containerDestination(view: ContainerView, dstPath: string): Promise<CopyInfo> {
  const resolved = await view.resolve(dstPath, true);
  const st = await lstat(view.host(resolved)).catch(() => undefined);
  const path = assertsDirectory(dstPath) && resolved !== "/" ? `${resolved}/` : resolved;
  if (st === undefined) return { path, exists: false, isDir: false };
  if (!st.isDirectory() && !st.isFile()) throw new CopyPathError(`destination "${view.name}:${dstPath}" must be a directory or a regular file`);
  return { path, exists: true, isDir: st.isDirectory() };
}

/** The host path of an extraction directory in the container, checked: there, a directory, writable. */
async function extractionDir(view: ContainerView, dir: string): Promise<string> {
  const resolved = await view.resolve(dir, true);
  const host = view.host(resolved);
  const st = await lstat(host).catch(() => undefined);
  if (st === undefined) throw new CopyNotFoundError(resolved, view.name);
  if (!st.isDirectory()) throw new CopyPathError(`extraction point is not a directory: ${view.name}:${resolved}`);
  view.checkWritable(resolved);
  return host;
}

/** `cp SRC|- CONTAINER:DEST`: `input` is stdin for `-` (a tar, possibly compressed, extracted into the directory DEST). */
export async function copyToContainer(store: Store, rec: ContainerRecord, src: string | Readable, dest: string, o: CopyOptions): Promise<Copied> {
  const dstPath = absolutePath(dest);
  const source = typeof src === "string" ? await hostSource(absolutePath(src, process.cwd()), o.followLink) : undefined;
  return inContainer(store, rec, async (view) => {
    const dst = await containerDestination(view, dstPath);
    const owner = o.archive ? undefined : ROOT;
    if (source === undefined) {
      if (!dst.isDir) throw new CopyPathError(`destination "${rec.name}:${dstPath}" must be a directory`);
      const dir = await extractionDir(view, dst.path);
      const { stream } = await decompressed(src as Readable, { subject: "the tar on standard input" });
      const r = await applyLayer(stream, dir, { mode: "unpack", keepDirs: true, ...(owner !== undefined && { owner }) });
      return { bytes: r.size };
    }
    const plan = planCopy(source.info, dst, `${rec.name}:${dstPath}`);
    const dir = await extractionDir(view, plan.extractDir);
    if (plan.topName !== ".") view.checkNotMounted(posix.join(await view.resolve(plan.extractDir, true), plan.topName));
    const { dir: from, top } = resourceOf(source.host, source.info.path);
    const bytes = await transfer(from, { top, as: plan.topName }, dir, owner);
    return { bytes: source.info.isDir ? bytes : source.size };
  });
}
