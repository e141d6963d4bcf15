import { lstat } from "node:fs/promises";

/** Whether something is at `path` (a symlink counts, whatever it points to). */
export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
