/**
 * COPY and ADD executed as `docker build` (BuildKit) executes them: one
 * entry, `copyInto`, for sources in the build context, a stage or an image,
 * URLs and heredocs. See select.ts (what a source selects), place.ts (where
 * and how it lands), archive.ts (ADD's archives), fetch.ts (ADD's URLs),
 * chmod.ts and owner.ts (--chmod, --chown).
 *
 * `--link` changes nothing here: in BuildKit it only lets the layer be
 * rebased without its parents; the layer's content is the same, except that
 * with --link a symlink in the image on the destination path is not followed.
 * Strata always follows it (inside the rootfs), as without --link.
 */
import { namedOrMain } from "../../context/named.ts";
import { constants } from "node:fs";
import { copyFile } from "node:fs/promises";
import type { CopyOp } from "../../../../compiler/ir/graph.ts";
import { secureJoin } from "../../../fs/secure-join.ts";
import type { StepSources } from "../step-sources.ts";
import { archiveKind, type Compression } from "../../../layer/archive-kind.ts";
import { extractInto } from "./archive.ts";
import { parseChmod } from "./chmod.ts";
import { fetchOnce, urlFileName, verifyChecksum } from "../../context/fetch.ts";
import { type Owner, resolveChown } from "./owner.ts";
import { Placer, writeContent } from "./place.ts";
import type { SourceTree } from "../../context/select.ts";
import { expandSources } from "../../context/sources.ts";
import { copyFailure } from "../../context/copy-error.ts";


/** Extracts an archive into the directory `dest` (created, as BuildKit's MkdirAll: 0755, --chown's owner), tar -x style: the archive wins path by path. */
async function unpackInto(file: string, c: Compression, source: string, dest: string, rootfs: string, owner: Owner | undefined): Promise<void> {
  const dir = await secureJoin(rootfs, dest);
  await new Placer(rootfs, { owner, keepOwner: true, mode: undefined, replace: true }).mkdirAll(dir);
  await extractInto(file, c, source, dir, owner);
}

/**
 * Copies what `op` names into `rootfs` (the step's mounted overlay). Every
 * destination path is resolved inside `rootfs`, every source path inside its
 * root. Errors are CopyErrors naming the source; `warn` is told what is
 * skipped (a socket).
 */
export async function copyInto(op: CopyOp, sources: StepSources, rootfs: string, warn?: (message: string) => void): Promise<void> {
  try {
    let tree: SourceTree | undefined;
    const items = await expandSources(op, async () => {
      tree = await sourceTree(op, sources);
      return tree;
    });
    const owner = op.chown !== undefined ? await resolveChown(rootfs, op.chown) : undefined;
    const mode = op.chmod !== undefined ? parseChmod(op.chmod) : undefined;
    const dest = op.dest;
    const now = Date.now() / 1000;
    for (const item of items) {
      if (item.kind === "path") {
        const placer = new Placer(rootfs, { owner, keepOwner: tree?.keepOwner === true, mode, replace: false, keepXattrs: op.from.type !== "context", ...(warn !== undefined && { warn }) });
        for (const m of item.matches) {
          if (op.add && op.unpack !== false && m.top.kind === "file") {
            const c = await archiveKind(m.top.abs);
            if (c !== undefined) {
              await unpackInto(m.top.abs, c, item.src, dest, rootfs, owner);
              continue;
            }
          }
          await placer.copyMatch(m, dest);
        }
        await placer.finish();
      } else if (item.kind === "url") {
        const f = await fetchOnce(sources.context.fetched, item.src);
        verifyChecksum(f, op.checksum);
        const c = op.unpack === true ? await archiveKind(f.file) : undefined;
        if (c !== undefined) {
          await unpackInto(f.file, c, item.src, dest, rootfs, owner);
          continue;
        }
        const placer = new Placer(rootfs, { owner, keepOwner: false, mode, replace: false });
        const mtime = f.lastModified ? f.lastModified.getTime() / 1000 : now;
        await placer.placeBlob(urlFileName(item.src), dest, (p) => copyFile(f.file, p, constants.COPYFILE_EXCL), { uid: 0, gid: 0, mode: 0o600, atime: mtime, mtime });
        await placer.finish();
      } else {
        const placer = new Placer(rootfs, { owner, keepOwner: false, mode, replace: false });
        await placer.placeBlob(item.name, dest, (p) => writeContent(p, item.content), { uid: 0, gid: 0, mode: 0o644, atime: now, mtime: now });
        await placer.finish();
      }
    }
  } catch (e) {
    throw copyFailure(op, e);
  }
}

/** Where `op` reads its paths: the build context (after .dockerignore), a stage's root or an image's root. */
export async function sourceTree(op: CopyOp, sources: StepSources): Promise<SourceTree> {
  const from = op.from;
  if (from.type === "stage") return { root: await sources.stageRoot(from.stage), keepOwner: true, label: `stage ${from.stage}` };
  if (from.type === "image") return { root: await sources.imageRoot(from.ref), keepOwner: true, label: `image ${from.ref}` };
  const ctx = namedOrMain(sources.context, sources.named, from.name);
  return { root: ctx.root, visible: await ctx.visibility(), keepOwner: false, label: from.name === undefined ? "the build context" : `the build context ${from.name}` };
}
