import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { posix } from "node:path";
import { digestOf } from "../../../compiler/cache/canonical.ts";
import type { CopyOp } from "../../../compiler/ir/graph.ts";
import type { BuildContext } from "./context.ts";
import { mapLimit } from "../../fs/pool.ts";
import { breathe, hashSmallSync, SMALL } from "../../fs/small-files.ts";
import { hashMemo } from "../../store/context-hashes.ts";
import { fetchOnce } from "./fetch.ts";
import type { SourceEntry, SourceTree } from "./select.ts";
import { expandSources } from "./sources.ts";
import { copyFailure } from "./copy-error.ts";

/**
 * What a COPY/ADD reads from the build context, hashed for its cache key.
 *
 * The selection is the one the copy makes (copy/select.ts: .dockerignore,
 * wildcards, followed symlinks, --exclude, --parents), so the key and the
 * copy never disagree. For each source, in order:
 *
 * - a path: for each match, its base name and, for the match and every
 *   entry it contributes, the path relative to the match (as placed under
 *   the destination), the type, whether it is selected or only a parent,
 *   the mode, and the content: sha256 for files, the target for symlinks,
 *   size for files. Never mtime, inode or owner (the context has none);
 * - a URL: the URL and `--checksum` when given (nothing is fetched); else
 *   the sha256 of the content, fetched once per build and reused by the copy;
 * - a heredoc: its name (the content is in the op, which is keyed already).
 *
 * dest, --chown, --chmod, --link, --exclude, --parents, --unpack are in the
 * op and so in the key (compiler/cache/keys.ts).
 */

/** sha256 of a file: small files in one read on this thread (fs/small-files.ts), others with 1 MiB reads. */
export async function hashFile(path: string, size = Number.POSITIVE_INFINITY): Promise<string> {
  if (size <= SMALL) {
    await breathe();
    const h = hashSmallSync(path);
    if (h !== undefined) return h;
  }
  if (size <= 1 << 20) return createHash("sha256").update(await readFile(path)).digest("hex");
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** A file's content hash, remembered by (path, size, mtime, ctime, inode, mode) so unchanged files are not read twice (store/context-hashes.ts). */
export async function contentHash(e: SourceEntry): Promise<string> {
  const st = e.st;
  const k = `${e.abs}\0${st.size}\0${st.mtimeNs}\0${st.ctimeNs}\0${st.ino}\0${st.mode}`;
  const hit = hashMemo.get(k);
  if (hit !== undefined) return hit;
  const h = await hashFile(e.abs, Number(st.size));
  hashMemo.set(k, h);
  return h;
}

async function describe(e: SourceEntry, rootRel: string, files: Record<string, string>): Promise<unknown> {
  const base = { path: e.rel, type: e.kind, selected: e.selected, mode: Number(e.st.mode & 0o7777n) };
  if (e.kind === "file") {
    const content = await contentHash(e);
    files[e.rel === "" ? rootRel : posix.join(rootRel, e.rel)] = content;
    return { ...base, size: Number(e.st.size), content };
  }
  if (e.kind === "symlink") return { ...base, content: `link:${e.linkTarget ?? ""}` };
  if (e.kind === "char" || e.kind === "block") return { ...base, rdev: String(e.st.rdev) };
  return base;
}

export async function contextDigest(ctx: BuildContext, op: CopyOp): Promise<{ digest: string; files: Record<string, string> }> {
  try {
    const parts: unknown[] = [];
    const files: Record<string, string> = {};
    const tree = async (): Promise<SourceTree> => ({ root: ctx.root, visible: await ctx.visibility(), keepOwner: false, label: "the build context" });
    for (const item of await expandSources(op, tree)) {
      if (item.kind === "inline") parts.push({ inline: item.name });
      else if (item.kind === "url") {
        if (op.checksum !== undefined) parts.push({ url: item.src, checksum: op.checksum });
        else parts.push({ url: item.src, content: (await fetchOnce(ctx.fetched, item.src)).digest });
      } else {
        const list: unknown[] = [];
        for (const m of item.matches) {
          const top = m.top.kind === "dir" ? { type: "dir" } : await describe(m.top, m.followed, files);
          const inner = await mapLimit(m.entries, 32, (e) => describe(e, m.followed, files));
          list.push({ name: posix.basename(m.name), top, entries: inner });
        }
        parts.push({ source: item.src, matches: list });
      }
    }
    return { digest: digestOf(parts), files };
  } catch (e) {
    throw copyFailure(op, e);
  }
}

/** What RUN --mount=type=bind (or a cache mount seeded `from` a named context) reads of a context, hashed as a COPY of the same paths would be. */
export async function bindDigest(context: BuildContext, sources: readonly string[]): Promise<string> {
  const parts: string[] = [];
  for (const source of sources) {
    const op: CopyOp = { kind: "copy", add: false, from: { type: "context" }, sources: [source], inline: [], dest: "/", cwd: "/", link: false, parents: false, exclude: [] };
    parts.push((await contextDigest(context, op)).digest);
  }
  return digestOf(parts);
}
