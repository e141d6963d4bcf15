import { readFile } from "node:fs/promises";

/**
 * What is mounted at or under a directory, from /proc/self/mountinfo,
 * deepest first (the order to unmount in). Snapshots use it to refuse a
 * commit of a snapshot still mounted, and to unmount before removing one;
 * reclaim to unmount what a dead process left.
 */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile("/proc/self/mountinfo", "utf8").catch(() => "");
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const field = line.split(" ")[4];
    if (field === undefined) continue;
    const mp = field.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
    if (mp === dir || mp.startsWith(`${dir}/`)) out.push(mp);
  }
  return out.sort((a, b) => b.length - a.length);
}
