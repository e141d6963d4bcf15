import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deleteContainer } from "../runc/runc.ts";
import { unmount } from "../fs/mount.ts";
import type { StoreLayout } from "./layout.ts";
import { mountsUnder } from "../fs/mountinfo.ts";
import { ownerAlive, SELF } from "../fs/owner.ts";
import { staleClaim } from "./ingest-claim.ts";
import { expireLeases } from "./leases.ts";
import { removeStale } from "./lock.ts";

/**
 * Leftovers of a strata process that died (kill -9, a crash, a power cut):
 * every scratch dir under run/ records its owner's pid; ingest files in tmp/
 * carry it in their name; leases name it too (leases.ts). The next command that opens the store unmounts,
 * deletes the runc containers of, and removes whatever belongs to a process
 * that no longer exists, and says so. A lock file (the store's, index.json's) whose owner
 * is dead is removed too (lock.ts would take it over anyway; this says so).
 */
export async function writeOwner(dir: string): Promise<void> {
  await writeFile(join(dir, "owner"), SELF);
}

export interface Reclaimed {
  readonly dirs: number;
  readonly mounts: number;
  readonly containers: number;
  readonly files: number;
  readonly locks: number;
}

export async function reclaim(layout: StoreLayout): Promise<Reclaimed> {
  const result = { dirs: 0, mounts: 0, containers: 0, files: 0, locks: 0 };
  for (const lock of [layout.lockFile, `${layout.index}.lock`]) if (await removeStale(lock)) result.locks++;
  for (const id of await readdir(layout.runc).catch(() => [] as string[])) {
    // Containers of `strata run` (runtime/container/) outlive their strata process: only `strata rm` removes them.
    if (id.startsWith("strata-c-")) continue;
    const state = await readFile(join(layout.runc, id, "state.json"), "utf8").catch(() => "");
    const pid = Number((/"init_process_pid":(\d+)/.exec(state) ?? [])[1]);
    const ownerPid = Number((/^strata-p(\d+)-/.exec(id) ?? [])[1]);
    if (ownerAlive(String(Number.isNaN(ownerPid) ? pid : ownerPid))) continue;
    await deleteContainer(layout.runc, id);
    result.containers++;
  }
  for (const name of await readdir(layout.run).catch(() => [] as string[])) {
    const dir = join(layout.run, name);
    const ownerText = await readFile(join(dir, "owner"), "utf8").catch(() => undefined);
    // A dir another process is creating this very moment has no owner file yet, or an empty
    // one (writeFile creates the file before it writes the pid).
    if ((ownerText === undefined || ownerText.trim() === "") && Date.now() - ((await stat(dir).catch(() => undefined))?.mtimeMs ?? 0) < 60_000) continue;
    if (ownerAlive(ownerText ?? "")) continue;
    for (const mp of await mountsUnder(dir)) {
      await unmount(mp);
      result.mounts++;
    }
    await rm(dir, { recursive: true, force: true });
    result.dirs++;
  }
  for (const name of await readdir(layout.tmp).catch(() => [] as string[])) {
    // A download claim (ingest-claim.ts) names its owner inside.
    if (name.startsWith("claim-")) {
      if (await staleClaim(join(layout.tmp, name))) {
        await rm(join(layout.tmp, name), { force: true });
        result.files++;
      }
      continue;
    }
    const pid = Number((/-(\d+)-/.exec(name) ?? [])[1]);
    if (Number.isNaN(pid) || ownerAlive(String(pid))) continue;
    await rm(join(layout.tmp, name), { recursive: true, force: true });
    result.files++;
  }
  // Expired leases are bookkeeping, not leftovers: removed without a word.
  await expireLeases(layout);
  return result;
}
