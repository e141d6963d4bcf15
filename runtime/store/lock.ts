import { readFile, rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { StrataError } from "../errors/error.ts";
import { createOwned, ownerAlive, ownerLabel } from "../fs/owner.ts";

/**
 * A short-lived exclusive lock between strata processes on one store: a lock
 * file created with O_EXCL naming its owner (fs/owner.ts: pid and start
 * time). A lock whose owner is no longer alive (kill -9), even if another
 * process has its pid now, is stale and taken over; a wait that times out
 * names the owner.
 */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
    if (await createOwned(lockPath)) break;
    if (await removeStale(lockPath)) continue;
    if (Date.now() > deadline) {
      const owner = await readFile(lockPath, "utf8").catch(() => "");
      throw new StrataError("STORE_LOCK_TIMEOUT", `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the store lock ${lockPath}, held by ${ownerLabel(owner)}; if that is not a strata process, remove the file`);
    }
    await sleep(delay);
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

/** Removes the lock file if its owner is dead (reclaim.ts calls this at start-up); whether it did. */
export async function removeStale(lockPath: string): Promise<boolean> {
  if (!(await isStale(lockPath))) return false;
  await rm(lockPath, { force: true });
  return true;
}

async function isStale(lockPath: string): Promise<boolean> {
  const owner = await readFile(lockPath, "utf8").catch(() => undefined);
  // An empty file is a lock being written; anything else that names no live owner is stale.
  return owner !== undefined && owner.trim() !== "" && !ownerAlive(owner);
}
