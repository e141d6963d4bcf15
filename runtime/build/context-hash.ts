import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { digestOf } from "../../compiler/cache/canonical.ts";
import type { CopyOp } from "../../compiler/ir/graph.ts";
import type { BuildContext, ContextEntry } from "./context.ts";

/** sha256 of a file with 1 MiB reads. */
export async function hashFile(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest("hex");
}

const memo = new Map<string, string>();

/** A file's content hash, remembered by (path, size, mtime, inode, mode) so unchanged files are not read twice. */
export async function contentHash(e: ContextEntry): Promise<string> {
  const k = `${e.abs}\0${e.size}\0${e.mtimeMs}\0${e.ino}\0${e.mode}`;
  const hit = memo.get(k);
  if (hit !== undefined) return hit;
  const h = await hashFile(e.abs);
  memo.set(k, h);
  return h;
}

/**
 * The digest of what a COPY/ADD reads from the context: for each source in
 * order, each selected entry's destination path, type, mode, size and content
 * hash or link target. Owner and final mode come from the op (--chown,
 * --chmod), which is part of the key already. Never mtime or inode.
 */
export async function contextDigest(ctx: BuildContext, op: CopyOp): Promise<{ digest: string; files: Record<string, string> }> {
  const parts: unknown[] = [];
  const files: Record<string, string> = {};
  for (const src of op.sources) {
    const { items } = await ctx.select(src);
    const list = await Promise.all(
      items.map(async ({ entry, destRel }) => {
        const content = entry.type === "file" ? await contentHash(entry) : entry.type === "symlink" ? `link:${entry.linkTarget}` : "dir";
        if (entry.type !== "dir") files[entry.rel] = content;
        return { path: destRel, type: entry.type, mode: entry.mode, size: entry.size, content };
      }),
    );
    parts.push({ source: src, entries: list });
  }
  return { digest: digestOf(parts), files };
}
