import { readFile } from "node:fs/promises";
import { unmount } from "../fs/mount.ts";

/** Mount points at or under `dir` (deepest first), from /proc/self/mountinfo. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile("/proc/self/mountinfo", "utf8").catch(() => "");
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const mp = line.split(" ")[4]?.replace(/\\040/g, " ");
    if (mp !== undefined && (mp === dir || mp.startsWith(`${dir}/`))) out.push(mp);
  }
  return out.sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or under `dir`. */
export async function unmountAll(dir: string): Promise<void> {
  for (const mp of await mountsUnder(dir)) await unmount(mp);
}
