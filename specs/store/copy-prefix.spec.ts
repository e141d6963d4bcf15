/**
 * copyPrefix (runtime/fs/copy-direct.ts), which starts a merged layer's ingest with a stored
 * layer's bytes: on the disk's own filesystem (direct writes here, a reflink on xfs or btrfs)
 * and on a tmpfs, which refuses O_DIRECT (a plain copy): the new file holds exactly the first
 * bytes asked for, owner-only, and an existing file is never overwritten.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyPrefix } from "../../runtime/fs/copy-direct.ts";

describe("copyPrefix", () => {
  const dir = mkdtempSync(join(tmpdir(), "strata-copy-prefix-"));
  const tmpfs = join(dir, "tmpfs");
  execFileSync("mkdir", [tmpfs]);
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", tmpfs]);
  afterAll(() => {
    execFileSync("umount", [tmpfs]);
    rmSync(dir, { recursive: true, force: true });
  });
  // Not a multiple of dd's block or the disk's sector: the short last block is written too.
  const bytes = randomBytes((9 << 20) + 1536 + 1024);
  const length = (9 << 20) + 1536;

  for (const where of ["the disk", "a tmpfs"]) {
    it(`on ${where}: exactly the first bytes, owner-only; an existing file is refused and kept`, async () => {
      const base = where === "the disk" ? dir : tmpfs;
      const src = join(base, "src");
      writeFileSync(src, bytes, { mode: 0o444 });
      const dst = join(base, "dst");
      await copyPrefix(src, dst, length);
      expect(readFileSync(dst).equals(bytes.subarray(0, length))).toBe(true);
      expect(statSync(dst).mode & 0o777).toBe(0o600);
      writeFileSync(join(base, "taken"), "mine");
      await expect(copyPrefix(src, join(base, "taken"), length)).rejects.toMatchObject({ code: "EEXIST" });
      expect(readFileSync(join(base, "taken"), "utf8")).toBe("mine");
    });
  }
});
