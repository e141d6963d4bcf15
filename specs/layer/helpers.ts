/** Shared fixtures for the layer specs: temp dirs, overlay mounts, tree snapshots, tar listings. */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAttributeSync } from "@napi-rs/xattr";
import { extract as tarExtract, type Header, pack as tarPack } from "tar-stream";

export async function tempDir(tag: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `strata-layer-${tag}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export interface Overlay {
  merged: string;
  upper: string;
  unmount(): void;
}

/** Mount an overlay of `lowers` (topmost first) with a fresh upper under `base`. */
export async function mountOverlay(base: string, lowers: string[], tag: string): Promise<Overlay> {
  const upper = join(base, `${tag}-upper`);
  const work = join(base, `${tag}-work`);
  const merged = join(base, `${tag}-merged`);
  await mkdir(upper);
  await mkdir(work);
  await mkdir(merged);
  execFileSync("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${lowers.join(":")},upperdir=${upper},workdir=${work}`, merged]);
  let mounted = true;
  return {
    merged,
    upper,
    unmount() {
      if (mounted) execFileSync("umount", [merged]);
      mounted = false;
    },
  };
}

/** Mount an overlay with only lower dirs (read-only view). */
export function mountReadOnly(lowers: string[], merged: string): () => void {
  execFileSync("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${lowers.join(":")}`, merged]);
  return () => execFileSync("umount", [merged]);
}

export function sh(script: string, cwd: string): string {
  return execFileSync("sh", ["-ec", script], { cwd, encoding: "utf8" });
}

export interface TreeNode {
  type: string;
  mode: string;
  uid: number;
  gid: number;
  size?: number;
  sha256?: string;
  link?: string;
  rdev?: number;
  mtime?: number;
  caps?: string;
  opaque?: string;
}

/** Everything that matters about a tree, keyed by relative path (dir mtimes excluded). */
export async function snapshotTree(root: string, withOpaque = false): Promise<Record<string, TreeNode>> {
  const out: Record<string, TreeNode> = {};
  async function walk(rel: string): Promise<void> {
    const names = (await readdir(rel === "" ? root : join(root, rel))).sort();
    for (const name of names) {
      const r = rel === "" ? name : `${rel}/${name}`;
      const p = join(root, r);
      const st = await lstat(p);
      const node: TreeNode = {
        type: st.isDirectory() ? "dir" : st.isFile() ? "file" : st.isSymbolicLink() ? "symlink" : st.isFIFO() ? "fifo" : st.isCharacterDevice() ? "char" : st.isBlockDevice() ? "block" : "other",
        mode: (st.mode & 0o7777).toString(8),
        uid: st.uid,
        gid: st.gid,
      };
      if (st.isFile()) {
        node.size = st.size;
        node.sha256 = createHash("sha256").update(await readFile(p)).digest("hex");
        node.mtime = Math.floor(st.mtimeMs / 1000);
        const cap = getAttributeSync(p, "security.capability");
        if (cap) node.caps = cap.toString("hex");
      }
      if (st.isDirectory() && withOpaque) {
        const opq = getAttributeSync(p, "trusted.overlay.opaque");
        if (opq) node.opaque = opq.toString();
      }
      if (st.isSymbolicLink()) {
        node.link = await readlink(p);
        node.mtime = Math.floor(st.mtimeMs / 1000);
      }
      if (st.isCharacterDevice() || st.isBlockDevice()) node.rdev = st.rdev;
      out[r] = node;
      if (st.isDirectory()) await walk(r);
    }
  }
  await walk("");
  return out;
}

export interface ListedEntry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  size: number;
  mtime: number;
  linkname: string | null;
  devmajor: number;
  devminor: number;
  pax: Record<string, string> | null;
}

/** List a tar with tar-stream (the independent reader). */
export async function listTar(data: Buffer | string): Promise<ListedEntry[]> {
  const extract = tarExtract();
  const buf = typeof data === "string" ? await readFile(data) : data;
  extract.end(buf);
  const out: ListedEntry[] = [];
  for await (const entry of extract) {
    const h = entry.header;
    out.push({
      name: h.name,
      type: String(h.type),
      mode: h.mode ?? 0,
      uid: h.uid ?? 0,
      gid: h.gid ?? 0,
      uname: h.uname ?? "",
      gname: h.gname ?? "",
      size: h.size ?? 0,
      mtime: Math.floor((h.mtime?.getTime() ?? 0) / 1000),
      linkname: h.linkname ?? null,
      devmajor: h.devmajor ?? 0,
      devminor: h.devminor ?? 0,
      pax: (h.pax as Record<string, string> | null | undefined) ?? null,
    });
    entry.resume();
  }
  return out;
}

/** Build a tar in memory with tar-stream's pack (for crafted and malicious layers). */
export async function packTar(entries: Array<{ header: Partial<Header> & { name: string }; body?: string }>): Promise<Buffer> {
  const pack = tarPack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      pack.entry({ mtime: new Date(1_700_000_000_000), ...e.header }, e.body ?? "", (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}
