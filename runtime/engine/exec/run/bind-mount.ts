import { execFile } from "node:child_process";
import { copyFile, link, lstat, mkdir, readdir, readlink, symlink } from "node:fs/promises";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { secureJoin } from "../../../fs/secure-join.ts";
import { mount, unmount } from "../../../fs/mount.ts";
import { overlayNamespaceOptions } from "../../../fs/userns.ts";
import type { BuildContext } from "../../context/context.ts";
import { RunMountError } from "./errors.ts";

/** execFile as a promise, made on first use (a warm build loads no child_process). */
const run = (file: string, args: readonly string[]) => promisify(execFile)(file, args);

/** Resolves `source` inside `root` as BuildKit does (symlinks followed, never out of the root); it must exist. */
export async function sourceIn(root: string, source: string | undefined, what: string): Promise<string> {
  const p = await secureJoin(root, source ?? "/");
  try {
    await lstat(p);
  } catch {
    throw new RunMountError(`source "${source ?? "/"}" not found in ${what}`);
  }
  return p;
}

/**
 * The host path a bind mount from the build context reads: the context
 * directory itself when .dockerignore hides nothing under `source`, else a
 * view of what it keeps (hard links where the filesystem allows, copies
 * otherwise) in `scratchDir` — BuildKit only ever sees the context as sent,
 * without the ignored files.
 */
export async function contextSource(context: BuildContext, source: string | undefined, scratchDir: string): Promise<string> {
  const abs = await secureJoin(context.root, source ?? "/");
  const rel = relative(context.root, abs);
  const entries = await context.entries();
  const st = await lstat(abs).catch(() => undefined);
  if (st === undefined || (rel !== "" && !entries.has(rel))) {
    throw new RunMountError(`source "${source ?? "/"}" not found in the build context or excluded by .dockerignore`);
  }
  if (!st.isDirectory()) return abs;
  const onDisk = (await readdir(abs, { recursive: true })).map((n) => (rel === "" ? n : `${rel}/${n}`));
  if (onDisk.every((r) => entries.has(r))) return abs;
  const view = join(scratchDir, "view");
  await mkdir(view, { recursive: true, mode: st.mode & 0o7777 });
  const kept = [...entries.values()].filter((e) => rel === "" || e.rel.startsWith(`${rel}/`)).sort((a, b) => (a.rel < b.rel ? -1 : 1));
  for (const e of kept) {
    const dest = join(view, rel === "" ? e.rel : e.rel.slice(rel.length + 1));
    if (e.type === "dir") await mkdir(dest, { recursive: true, mode: e.mode });
    else if (e.type === "symlink") await symlink(await readlink(e.abs), dest);
    else await link(e.abs, dest).catch(() => copyFile(e.abs, dest));
  }
  return view;
}

/**
 * A writable bind: writes must be thrown away after the run (BuildKit binds a
 * snapshot it discards). A directory gets an overlay with a temporary upper
 * dir over it (or a copy when the kernel refuses to stack another overlay);
 * a file gets a copy. Returns the host path to bind and its cleanup.
 */
export async function writableCopy(src: string, scratchDir: string): Promise<{ path: string; release: () => Promise<void> }> {
  const st = await lstat(src);
  const merged = join(scratchDir, "merged");
  if (st.isDirectory()) {
    const upper = join(scratchDir, "upper");
    const work = join(scratchDir, "work");
    await Promise.all([upper, work, merged].map((d) => mkdir(d, { recursive: true })));
    try {
      await mount({ type: "overlay", source: "overlay", options: [`lowerdir=${src}`, `upperdir=${upper}`, `workdir=${work}`, ...overlayNamespaceOptions()] }, merged);
      return { path: merged, release: () => unmount(merged) };
    } catch {
      // Too deep a stack of overlays (or an unsupported lower): copy instead.
    }
    await run("cp", ["-a", "--", `${src}/.`, `${merged}/`]);
    return { path: merged, release: async () => undefined };
  }
  await mkdir(scratchDir, { recursive: true });
  const file = join(scratchDir, "file");
  await run("cp", ["-a", "--", src, file]);
  return { path: file, release: async () => undefined };
}
