import { mkdir, rename, writeFile } from "node:fs/promises";

/**
 * Writes a small file whole or not at all: into `tmpDir` (on the same filesystem, named with
 * this pid so a dead process's leftover is reclaimed), flushed, then renamed over `path`.
 */
export async function atomicWrite(path: string, data: string | Uint8Array, tmpDir: string, mode?: number): Promise<void> {
  await mkdir(tmpDir, { recursive: true });
  const tmp = `${tmpDir}/write-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(tmp, data, { flush: true, ...(mode === undefined ? {} : { mode }) });
  await rename(tmp, path);
}
