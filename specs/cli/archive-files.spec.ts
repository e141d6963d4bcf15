/**
 * Archive files fail cleanly (issue 15, item 7): for `save -o`, a missing folder or a read-only
 * target is one line naming the file, exit 1, no stack trace and nothing left behind, and a
 * temp file a killed save left beside the target is removed by the next save to it; `load -i`
 * and `import` of a missing file or of a file that is not a tar say so naming it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

describe("archive files", () => {
  let root: string;
  let cleanup: () => void;
  let out: string;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("save-file"));
    out = tempDir("save-file-out");
  });
  afterAll(() => {
    cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  it("into a missing folder: one line naming the file, exit 1", () => {
    const target = join(out, "missing", "x.tar");
    const r = strata(root, ["save", "-o", target, "busybox:latest"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`strata: error[IO_ERROR]: open ${target}: no such file or directory`);
  });

  it("onto a read-only filesystem: one line naming the file, exit 1, nothing written", () => {
    const ro = join(out, "ro");
    mkdirSync(ro);
    spawnSync("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", ro]);
    try {
      const r = strata(root, ["save", "-o", join(ro, "x.tar"), "busybox:latest"]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`strata: error[IO_ERROR]: open ${join(ro, "x.tar")}: read-only file system`);
      expect(readdirSync(ro)).toEqual([]);
    } finally {
      spawnSync("umount", [ro]);
    }
  });

  it("removes the temp file a killed save left, and writes the archive", () => {
    const dir = join(out, "stale");
    mkdirSync(dir);
    // pid_max is at most 2^22: no process has this pid.
    writeFileSync(join(dir, "x.tar.strata-4194304999.tmp"), "partial");
    writeFileSync(join(dir, "other.strata-1.tmp"), "not ours");
    const r = strata(root, ["save", "-o", join(dir, "x.tar"), "busybox:latest"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["other.strata-1.tmp", "x.tar"]);
    expect(spawnSync("tar", ["-tf", join(dir, "x.tar")], { encoding: "utf8" }).stdout).toContain("manifest.json");
    expect(existsSync(join(dir, "x.tar.strata-4194304999.tmp"))).toBe(false);
  });

  it("load -i and import of a missing file or of one that is not a tar: one line naming it, exit 1", () => {
    const text = join(out, "Dockerfile");
    writeFileSync(text, "FROM busybox\n");
    const missing = join(out, "missing.tar");
    const cases: [string[], string][] = [
      [["load", "-i", missing], `strata: error[IO_ERROR]: open ${missing}: no such file or directory`],
      [["load", "-i", text], `strata: error[LOAD_REFUSED]: ${text}: not a readable tar archive`],
      [["import", text, "t:1"], `strata: error[LAYER_BAD_TAR]: ${text}: tar stream is truncated`],
    ];
    for (const [args, line] of cases) {
      const r = strata(root, args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr.trim().startsWith(line), r.stderr).toBe(true);
    }
    expect(strata(root, ["system", "verify"]).code).toBe(0);
  });
});
