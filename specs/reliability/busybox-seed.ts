/**
 * Seeds a battery arena's store with busybox:latest (scripts/busybox-rootfs.sh, then
 * `strata import`), and lists a store's files, so a case can show that a command that must
 * stop before any work left the store as it was.
 */
import { spawnSync } from "node:child_process";
import { lstatSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, strata } from "../helpers/strata.ts";

/** Imports busybox:latest into the store at `root` (made if new). */
export function seedBusybox(root: string): void {
  const tar = `${root}-busybox.tar`;
  const mk = spawnSync("bash", [join(repoRoot, "scripts/busybox-rootfs.sh"), tar], { encoding: "utf8" });
  if (mk.status !== 0) throw new Error(`busybox-rootfs.sh failed: ${mk.stderr}`);
  const imp = strata(root, ["import", tar, "busybox:latest"]);
  rmSync(tar, { force: true });
  if (imp.code !== 0) throw new Error(`strata import failed: ${imp.stderr}`);
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
