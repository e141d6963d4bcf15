/**
 * What a store holds, for the battery's "nothing stored" and "disk usage back to baseline"
 * checks: its blobs, its unpacked snapshots, its names, and the bytes its files take on disk.
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface StoreState {
  readonly blobs: string[];
  readonly snapshots: string[];
  readonly index: string;
  /** Files left in tmp/ (ingests, unpacks). */
  readonly tmp: string[];
}

function list(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

export function storeState(root: string): StoreState {
  return {
    blobs: list(join(root, "blobs", "sha256")),
    snapshots: list(join(root, "snapshots")).filter((n) => /^[a-f0-9]{64}$/.test(n)),
    index: existsSync(join(root, "index.json")) ? readFileSync(join(root, "index.json"), "utf8") : "",
    tmp: list(join(root, "tmp")),
  };
}

/** Bytes the files under `dir` take on disk (du -sk × 1024): sparse files count what they use. */
export function diskUsage(dir: string): number {
  const r = spawnSync("du", ["-sk", dir], { encoding: "utf8" });
  return Number(r.stdout.split("\t")[0]) * 1024;
}

/** Every path under the store root, but the lock files (the command's own, gone when it ends). */
export function storeTree(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d).sort()) {
      const r = rel === "" ? e : `${rel}/${e}`;
      if (e.endsWith(".lock") || e === "lock") continue;
      out.push(r);
      if (lstatSync(join(d, e)).isDirectory()) walk(join(d, e), r);
    }
  };
  walk(root, "");
  return out;
}
