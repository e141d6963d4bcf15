/**
 * The store lock (runtime/store/lock.ts) names its owner by pid and start time (issue 15, item 7):
 * a lock naming a pid that another, unrelated process now has is stale and taken over at once;
 * a wait for a live owner that times out names it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SELF, startTime } from "../../runtime/fs/owner.ts";
import { withLock } from "../../runtime/store/lock.ts";

describe("the store lock", () => {
  const dir = mkdtempSync(join(tmpdir(), "strata-lock-"));
  const lock = join(dir, "lock");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes this process as its owner while held, and removes itself after", async () => {
    await withLock(lock, async () => expect(readFileSync(lock, "utf8")).toBe(SELF));
    expect(() => readFileSync(lock)).toThrow();
  });

  it("takes over a lock naming a live pid whose start time is not the owner's (a reused pid)", async () => {
    writeFileSync(lock, `1.${Number(startTime(1)) + 12345}`);
    const t = Date.now();
    expect(await withLock(lock, async () => "ran", 5_000)).toBe("ran");
    expect(Date.now() - t).toBeLessThan(1_000);
  });

  it("waits for a live owner, and a timeout names it", async () => {
    const sleeper = spawn("sleep", ["30"]);
    try {
      const pid = sleeper.pid as number;
      await new Promise((r) => setTimeout(r, 100));
      writeFileSync(lock, `${pid}.${startTime(pid)}`);
      await expect(withLock(lock, async () => "ran", 300)).rejects.toMatchObject({
        code: "STORE_LOCK_TIMEOUT",
        message: expect.stringContaining(`held by pid ${pid} (sleep); if that is not a strata process, remove the file`),
      });
    } finally {
      sleeper.kill();
      rmSync(lock, { force: true });
    }
  });
});
