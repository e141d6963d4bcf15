import { rmSync } from "node:fs";
import { type FileHandle, open, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Writable } from "node:stream";
import { ownerAlive } from "../fs/owner.ts";

/**
 * Writes `output` through a temp file beside it (`<name>.strata-<pid>.tmp`), renamed into place
 * when complete. A folder that is missing or not writable fails before any work, naming
 * `output`. SIGINT/SIGTERM remove the temp file; one that a killed save left is removed by the
 * next save to the same file.
 */
export async function saveToFile(output: string, write: (out: Writable) => Promise<void>): Promise<void> {
  const prefix = `${basename(output)}.strata-`;
  for (const name of await readdir(dirname(output)).catch(() => [] as string[])) {
    const pid = name.startsWith(prefix) && name.endsWith(".tmp") ? Number(name.slice(prefix.length, -".tmp".length)) : Number.NaN;
    if (Number.isInteger(pid) && !ownerAlive(String(pid))) await rm(join(dirname(output), name), { force: true });
  }
  const tmp = `${output}.strata-${process.pid}.tmp`;
  let fh: FileHandle;
  try {
    fh = await open(tmp, "wx", 0o644);
  } catch (e) {
    throw Object.assign(e as Error, { path: output });
  }
  const onSignal = (sig: NodeJS.Signals): void => {
    rmSync(tmp, { force: true });
    process.exit(sig === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await write(fh.createWriteStream());
    await rename(tmp, output);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
  }
}
