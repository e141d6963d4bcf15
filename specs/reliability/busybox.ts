/**
 * The battery's base image: scripts/busybox-rootfs.sh's tar, made once per busybox binary and
 * kept in the temp dir (written beside its name, then renamed: specs running side by side
 * share it safely), and an arena (oracle.ts) whose store has it imported as busybox:latest.
 * The script takes 15 s or more on a loaded 2-core runner; each spec file would pay it again.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, strata } from "../helpers/strata.ts";
import { type Arena, type ArenaOptions, arena } from "./oracle.ts";

/** The busybox rootfs tar for this machine's /bin/busybox (made on first use). */
export function busyboxTar(): string {
  const script = readFileSync(join(repoRoot, "scripts/busybox-rootfs.sh"));
  const id = createHash("sha256").update(readFileSync("/bin/busybox")).update(script).digest("hex").slice(0, 16);
  const tar = join(tmpdir(), `strata-rel-busybox-${id}.tar`);
  if (existsSync(tar)) return tar;
  const tmp = `${tar}.${process.pid}.tmp`;
  const mk = spawnSync("bash", [join(repoRoot, "scripts/busybox-rootfs.sh"), tmp], { encoding: "utf8" });
  if (mk.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`busybox-rootfs.sh failed: ${mk.stderr}`);
  }
  renameSync(tmp, tar);
  return tar;
}

/** Imports busybox:latest into a store root. */
export function importBusybox(root: string): void {
  const imp = strata(root, ["import", busyboxTar(), "busybox:latest"]);
  if (imp.code !== 0) throw new Error(`strata import failed: ${imp.stderr}`);
}

/** An arena whose store holds busybox:latest (imported before the marker). */
export function busyboxArena(tag: string, o: ArenaOptions = {}): Arena {
  return arena(tag, {
    ...o,
    setup: (s) => {
      importBusybox(s.root);
      o.setup?.(s);
    },
  });
}
