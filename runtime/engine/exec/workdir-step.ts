import { lchown, lstat, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { WorkdirOp } from "../../../compiler/ir/graph.ts";
import { secureJoin } from "../../fs/secure-join.ts";
import { StrataError } from "../../errors/error.ts";
import { resolveChown } from "./copy/owner.ts";

/**
 * WORKDIR's directory, made as BuildKit's mkdir file op makes it: every
 * missing part with mode 0755, owned by the stage's USER at that point
 * (resolved in the image as a file op's owner is, copy/owner.ts: `root` and
 * numbers need no /etc/passwd), symlinks followed inside the rootfs.
 */
export async function makeWorkdir(op: WorkdirOp, rootfs: string): Promise<void> {
  const target = await secureJoin(rootfs, op.path);
  const missing: string[] = [];
  for (let d = target; d.length > rootfs.length; d = dirname(d)) {
    const st = await lstat(d).catch(() => undefined);
    if (st?.isDirectory()) break;
    if (st) throw new StrataError("WORKDIR_FAILED", `WORKDIR ${op.path}: ${d.slice(rootfs.length)} exists and is not a directory`);
    missing.unshift(d);
  }
  if (missing.length === 0) return;
  const owner = op.user === "" ? { uid: 0, gid: 0 } : await resolveChown(rootfs, op.user, `USER ${op.user}`);
  for (const d of missing) {
    await mkdir(d, { mode: 0o755 });
    if (owner.uid !== 0 || owner.gid !== 0) await lchown(d, owner.uid, owner.gid);
  }
}
