/**
 * applyLayer against tars it did not write: GNU and PAX tars from the system tar, tar-stream
 * packs with entries out of order, device nodes, and layer-content-vs-whiteout ordering.
 */
import { createReadStream } from "node:fs";
import { lstat, mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyLayer } from "../../runtime/layer/apply-layer.ts";
import { writeLayer } from "../../runtime/layer/write-layer.ts";
import { packTar, removeDir, sh, snapshotTree, tempDir } from "./helpers.ts";

const LONG = "x".repeat(120);

describe("applyLayer reads other writers' tars", () => {
  let base: string;

  beforeEach(async () => {
    base = await tempDir("fmt");
    sh(
      `mkdir -p src/${LONG}/sub src/d && echo long > src/${LONG}/sub/${LONG}.txt
       ln src/${LONG}/sub/${LONG}.txt src/d/hard-${LONG}
       ln -s ../${LONG}/sub/${LONG}.txt src/d/sym-${LONG}
       echo s > src/d/suid && chown 7:8 src/d/suid && chmod 4711 src/d/suid
       mknod src/d/null c 1 3 && mknod src/d/blk b 7 200 && mkfifo src/d/fifo
       touch -d @1500000000 src/d/suid src/d src/${LONG}`,
      base,
    );
  });

  afterEach(async () => {
    await removeDir(base);
  });

  for (const format of ["gnu", "pax", "ustar-fallback-via-writeLayer"] as const) {
    it(`extracts a ${format} tar to the same tree`, async () => {
      const file = join(base, "t.tar");
      if (format === "ustar-fallback-via-writeLayer") await writeLayer(join(base, "src"), file);
      else sh(`tar --format=${format} --numeric-owner -C src -cf t.tar .`, base);
      const out = join(base, "out");
      await mkdir(out);
      await applyLayer(createReadStream(file), out, { mode: "flatten" });
      const want = await snapshotTree(join(base, "src"));
      expect(await snapshotTree(out)).toEqual(want);
      expect(want["d/null"]).toMatchObject({ type: "char" });
      expect(want["d/suid"]).toMatchObject({ mode: "4711", uid: 7, gid: 8 });
      expect((await lstat(join(out, "d"))).mtimeMs).toBe(1_500_000_000_000);
      expect((await lstat(join(out, LONG))).mtimeMs).toBe(1_500_000_000_000);
    });
  }

  it("handles entries in any order and restores dir mtimes after their children", async () => {
    const tar = await packTar([
      { header: { name: "a/b/c.txt", mtime: new Date(1_000_000_000_000) }, body: "c" },
      { header: { name: "a/", type: "directory", mode: 0o750, mtime: new Date(1_100_000_000_000) } },
      { header: { name: "a/b/", type: "directory", mtime: new Date(1_200_000_000_000) } },
      { header: { name: "a/z", mtime: new Date(1_300_000_000_000) }, body: "z" },
    ]);
    const out = join(base, "out");
    await mkdir(out);
    await applyLayer(Readable.from([tar]), out, { mode: "overlay" });
    expect((await lstat(join(out, "a"))).mtimeMs).toBe(1_100_000_000_000);
    expect((await lstat(join(out, "a"))).mode & 0o7777).toBe(0o750);
    expect((await lstat(join(out, "a/b"))).mtimeMs).toBe(1_200_000_000_000);
    expect(await readFile(join(out, "a/b/c.txt"), "utf8")).toBe("c");
  });

  it("flatten: opaque markers keep what the layer added, whatever the order; whiteouts never delete layer content", async () => {
    const root = join(base, "rootfs");
    sh("mkdir -p rootfs/d/keep rootfs/d/old && echo o > rootfs/d/old/f && echo k > rootfs/d/keep/lower && echo w > rootfs/w", base);
    const tar = await packTar([
      { header: { name: "d/keep/new" }, body: "n" },
      { header: { name: "d/.wh..wh..opq" }, body: "" },
      { header: { name: "d/later" }, body: "l" },
      { header: { name: "w2" }, body: "mine" },
      { header: { name: ".wh.w2" }, body: "" },
      { header: { name: ".wh.w" }, body: "" },
    ]);
    const res = await applyLayer(Readable.from([tar]), root, { mode: "flatten" });
    expect(res.size).toBe(tar.length);
    expect((await readdir(join(root, "d"))).sort()).toEqual(["keep", "later"]);
    expect(await readdir(join(root, "d/keep"))).toEqual(["new"]);
    expect((await readdir(root)).sort()).toEqual(["d", "w2"]);
  });

  it("overlay: a whiteout of something the same layer creates is dropped", async () => {
    const out = join(base, "out");
    await mkdir(out);
    const tar = await packTar([
      { header: { name: ".wh.x" }, body: "" },
      { header: { name: "x/", type: "directory" } },
      { header: { name: "x/f" }, body: "f" },
      { header: { name: ".wh.gone" }, body: "" },
    ]);
    await applyLayer(Readable.from([tar]), out, { mode: "overlay" });
    const snap = await snapshotTree(out, true);
    expect(snap.x?.type).toBe("dir");
    expect(snap.gone).toMatchObject({ type: "char", rdev: 0, mode: "0" });
  });
});
