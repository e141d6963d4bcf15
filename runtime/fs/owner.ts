import { readFileSync } from "node:fs";
import { open } from "node:fs/promises";

/**
 * Who owns a file that names its owner (a lock, a lease): "<pid>.<start time>", the start time
 * being /proc/<pid>/stat's field 22 (clock ticks since boot). It guards against a reused pid:
 * a file naming a process that died is stale even when another process now has that pid.
 */

/** The start time of process `pid`; undefined when there is none. */
export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** This process, as an owner. */
export const SELF = `${process.pid}.${startTime(process.pid) ?? "0"}`;

/** Whether the owner named so lives (a bare pid, as older files have, is checked by pid alone). */
export function ownerAlive(owner: string): boolean {
  const [pid, start] = owner.trim().split(".");
  if (`${pid}.${start}` === SELF) return true;
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return false;
  return start === undefined ? startTime(n) !== undefined : startTime(n) === start;
}

/** "pid 123 (strata)": the owner for a message. */
export function ownerLabel(owner: string): string {
  const pid = Number(owner.trim().split(".")[0]);
  let comm = "";
  try {
    comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {}
  return comm === "" ? `pid ${pid}` : `pid ${pid} (${comm})`;
}

/**
 * Creates `path` exclusively (O_EXCL) holding this process as its owner, then `after` (a claim
 * ends the line, for the lines it appends later); false when it exists already. Locks, claims
 * and mutexes are taken so.
 */
export async function createOwned(path: string, after = ""): Promise<boolean> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, "wx", 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
  try {
    await fh.writeFile(`${SELF}${after}`);
  } finally {
    await fh.close();
  }
  return true;
}
