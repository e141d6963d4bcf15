import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createOwned, ownerAlive as alive, SELF } from "../../../fs/owner.ts";

/**
 * Cross-process bookkeeping for cache mounts, with plain files (no flock in
 * Node): a lease is a file named `<pid>.<start time>.<random>.<kind>`, alive
 * while that process is (the start time guards against a reused pid), and a
 * short mutex file taken with O_EXCL guards every look-and-take of leases.
 * Leases of a process that died (a killed build) are ignored and removed.
 */

export type LeaseKind = "shared" | "locked" | "private";

/** Runs `fn` holding the mutex file `path` (waits for it; breaks it when its owner is dead). */
export async function withMutex<T>(path: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    if (await createOwned(path)) break;
    const owner = await readFile(path, "utf8").catch(() => "");
    if (owner !== "" && !alive(owner)) await rm(path, { force: true });
    else await sleep(15);
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}

/** The live leases in `dir` (dead ones are removed). */
export async function liveLeases(dir: string): Promise<LeaseKind[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: LeaseKind[] = [];
  for (const n of names) {
    const parts = n.split(".");
    if (alive(`${parts[0]}.${parts[1]}`)) out.push(parts[3] as LeaseKind);
    else await rm(join(dir, n), { force: true });
  }
  return out;
}

/** Takes a lease in `dir`; returns the function that gives it back. */
export async function takeLease(dir: string, kind: LeaseKind): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${SELF}.${randomBytes(6).toString("hex")}.${kind}`);
  await (await open(file, "wx")).close();
  return () => rm(file, { force: true });
}

