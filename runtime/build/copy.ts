import { copyFile, lchown, lstat, lutimes, mkdir, chmod, rm, symlink, utimes } from "node:fs/promises";
import { dirname, posix } from "node:path";
import type { CopyOp } from "../../compiler/ir/graph.ts";
import { secureJoin } from "../fs/secure-join.ts";
import { resolveUser } from "../runc/user.ts";
import type { BuildContext, ContextEntry } from "./context.ts";

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/** Parses --chmod: octal (`0755`, `644`). */
export function parseChmod(chmod: string | undefined): number | undefined {
  if (chmod === undefined) return undefined;
  if (!/^[0-7]{3,4}$/.test(chmod)) throw new Error(`--chmod=${chmod}: expected an octal mode such as 0755`);
  return Number.parseInt(chmod, 8);
}

async function chownOwner(rootfs: string, chown: string | undefined): Promise<Owner> {
  if (chown === undefined) return { uid: 0, gid: 0 };
  const u = await resolveUser(rootfs, chown);
  // docker: `--chown=user` without a group uses the user's primary... BuildKit uses gid = uid's group only when given; default gid matches the user entry.
  return { uid: u.uid, gid: u.gid };
}

/** Creates the missing directories of `dir` (inside the rootfs) owned by `owner`. */
async function mkdirs(rootfs: string, dir: string, owner: Owner): Promise<string> {
  const target = await secureJoin(rootfs, dir);
  const missing: string[] = [];
  for (let d = target; d.length > rootfs.length; d = dirname(d)) {
    try {
      await lstat(d);
      break;
    } catch {
      missing.unshift(d);
    }
  }
  for (const d of missing) {
    await mkdir(d, { mode: 0o755 });
    await lchown(d, owner.uid, owner.gid);
  }
  return target;
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function place(entry: ContextEntry, to: string, owner: Owner, mode: number | undefined): Promise<void> {
  const existing = await lstat(to).catch(() => undefined);
  if (entry.type === "dir") {
    if (existing && !existing.isDirectory()) await rm(to, { recursive: true, force: true });
    if (!existing?.isDirectory()) await mkdir(to);
    await chmod(to, mode ?? entry.mode);
    await lchown(to, owner.uid, owner.gid);
    return;
  }
  if (existing) await rm(to, { recursive: true, force: true });
  if (entry.type === "symlink") {
    await symlink(entry.linkTarget ?? "", to);
    await lchown(to, owner.uid, owner.gid);
    const t = new Date(entry.mtimeMs);
    await lutimes(to, t, t);
    return;
  }
  await copyFile(entry.abs, to);
  await chmod(to, mode ?? entry.mode);
  await lchown(to, owner.uid, owner.gid);
  const t = new Date(entry.mtimeMs);
  await utimes(to, t, t);
}

/**
 * Copies a COPY/ADD's context sources into `rootfs` (a mounted overlay), as
 * docker does: a directory source copies its contents; a file goes to
 * `dest/name` when dest ends in `/` or is an existing directory, else to dest.
 * Every path is resolved inside the rootfs (symlinks never lead out of it).
 */
export async function copyFromContext(ctx: BuildContext, op: CopyOp, rootfs: string): Promise<void> {
  const owner = await chownOwner(rootfs, op.chown);
  const mode = parseChmod(op.chmod);
  const destIsDir = op.dest.endsWith("/") || op.sources.length > 1;
  for (const src of op.sources) {
    const { matched, items } = await ctx.select(src);
    const wildcard = /[*?[]/.test(src);
    if ((wildcard && matched.length > 1 && !destIsDir) || (wildcard && !op.dest.endsWith("/") && matched.length > 1)) {
      throw new Error(`When using COPY with more than one source file, the destination must be a directory and end with a /`);
    }
    for (const m of matched) {
      const destPath = await secureJoin(rootfs, op.dest);
      if (m.type === "dir") {
        const base = await mkdirs(rootfs, op.dest, owner);
        for (const { entry, destRel } of items) {
          if (!entry.rel.startsWith(m.rel === "" ? "" : `${m.rel}/`)) continue;
          await place(entry, await secureJoin(rootfs, posix.join(base.slice(rootfs.length) || "/", destRel)), owner, entry.type === "dir" ? undefined : mode);
        }
        continue;
      }
      let to: string;
      if (destIsDir || (await isDir(destPath))) {
        const base = await mkdirs(rootfs, op.dest, owner);
        to = await secureJoin(rootfs, posix.join(base.slice(rootfs.length) || "/", posix.basename(m.rel)));
      } else {
        await mkdirs(rootfs, posix.dirname(op.dest), owner);
        to = destPath;
      }
      await place(m, to, owner, mode);
    }
  }
}
