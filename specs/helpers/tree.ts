import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./strata.ts";

/** One path of a flattened image: everything but times. */
export interface TreeEntry {
  readonly type: "file" | "dir" | "symlink" | "other";
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly content: string;
}

/** Walks a directory into path → entry (content hash or link target). */
export function walkTree(root: string): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel === "" ? name : `${rel}/${name}`;
      const p = join(root, r);
      const st = lstatSync(p);
      const type = st.isFile() ? "file" : st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : "other";
      const content = type === "file" ? createHash("sha256").update(readFileSync(p)).digest("hex") : type === "symlink" ? readlinkSync(p) : "";
      out.set(r, { type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: type === "file" ? st.size : 0, content });
      if (type === "dir") walk(r);
    }
  };
  walk("");
  return out;
}

/** The flattened root filesystem of an image in a Strata store, unpacked by umoci (an independent reader). */
export function flattenedTree(storeRoot: string, ref: string): Map<string, TreeEntry> {
  const dir = tempDir("unpack");
  const bundle = join(dir, "rootfs");
  try {
    const r = spawnSync("umoci", ["raw", "unpack", "--image", `${storeRoot}:${ref}`, bundle], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`umoci raw unpack ${ref}: ${r.stderr}`);
    return walkTree(bundle);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
