import { readFileSync } from "node:fs";
import { strata } from "../helpers/strata.ts";

export { freePort } from "../helpers/strata.ts";

/** GETs a page from 127.0.0.1, retrying while the server comes up. */
export async function fetchLocal(port: number, path: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}${path}`);
      return await r.text();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((res) => setTimeout(res, 100));
    }
  }
}

/** Removes every container of the store (`rm -f`), as each spec's afterAll does. */
export function removeAllContainers(root: string): void {
  const ids = strata(root, ["ps", "-aq"]).stdout.split("\n").filter((l) => l !== "");
  if (ids.length > 0) strata(root, ["rm", "-f", ...ids]);
}

/** Mount points under the store root, from this machine's mount table. */
export function mountsUnder(root: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((mp) => mp === root || mp.startsWith(`${root}/`));
}

/** Starts the strata CLI without waiting (for signals and `logs -f`). */
export { startStrata as strataAsync } from "../helpers/strata.ts";

export const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

/** Waits until `check` holds, polling. */
export async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for a condition");
    await sleep(100);
  }
}
