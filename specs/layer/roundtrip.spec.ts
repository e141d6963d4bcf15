/**
 * Overlay upper dir → writeLayer → tar → applyLayer (flatten and overlay), against real
 * overlay mounts: the tar must say what the merged view showed, and re-applying it must give
 * the same merged view back.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyLayer } from "../../runtime/layer/apply-layer.ts";
import { writeLayer } from "../../runtime/layer/write-layer.ts";
import { listTar, mountOverlay, mountReadOnly, removeDir, sh, snapshotTree, tempDir } from "./helpers.ts";

const LONG = "a-rather-long-directory-name-to-push-past-the-ustar-limit";

describe("overlay upper dir ↔ OCI layer tar", () => {
  let base: string;
  let lower: string;
  let upper: string;
  let mergedSnap: Awaited<ReturnType<typeof snapshotTree>>;

  beforeEach(async () => {
    base = await tempDir("rt");
    lower = join(base, "lower");
    sh(
      `mkdir -p lower/etc lower/data/sub lower/bin lower/keepdir
       echo root > lower/etc/passwd; echo keep > lower/etc/keep; echo bye > lower/etc/del
       echo old1 > lower/data/old1; echo old2 > lower/data/sub/old2
       echo tool > lower/bin/tool; chmod 4755 lower/bin/tool
       mkdir -p lower/gone/deeper && echo g > lower/gone/deeper/f`,
      base,
    );
    const ov = await mountOverlay(base, [lower], "step");
    try {
      sh(
        `echo more >> etc/passwd
         rm etc/del
         rm -rf gone
         rm -rf data && mkdir data && echo new1 > data/new1 && mkdir data/sub && echo again > data/sub/again
         mkdir -p new/deep && echo file > new/file.txt && echo x > new/deep/x
         ln new/file.txt new/hard.txt
         ln -s ../etc/passwd new/link
         mkdir new/sticky && chmod 1777 new/sticky
         echo s > new/suid && chmod 4750 new/suid
         echo o > new/owned && chown 1234:5678 new/owned
         mkfifo new/fifo
         mkdir -p new/${LONG}/${LONG} && echo long > new/${LONG}/${LONG}/${LONG}.txt
         echo caps > new/capped && setcap cap_setuid,cap_net_raw+ep new/capped
         printf 'ü' > new/ünïcödé
         chmod 700 keepdir`,
        ov.merged,
      );
      mergedSnap = await snapshotTree(ov.merged);
    } finally {
      ov.unmount();
    }
    upper = ov.upper;
  });

  afterEach(async () => {
    await removeDir(base);
  });

  it("writes a sorted, docker-shaped tar with whiteouts, opaque markers and links", async () => {
    const layer = join(base, "layer.tar");
    const result = await writeLayer(upper, layer);
    const bytes = await readFile(layer);
    expect(result.size).toBe(bytes.length);
    expect(result.diffId).toBe(`sha256:${createHash("sha256").update(bytes).digest("hex")}`);

    const entries = await listTar(layer);
    const names = entries.map((e) => e.name);
    const sorted = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(names).toEqual(sorted);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) {
      expect(n.startsWith("/") || n.startsWith("./")).toBe(false);
      const parent = n.replace(/\/$/, "").split("/").slice(0, -1).join("/");
      if (parent !== "") expect(names.indexOf(`${parent}/`)).toBeLessThan(names.indexOf(n));
    }
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get("etc/.wh.del")).toMatchObject({ type: "file", size: 0 });
    expect(byName.get("gone/")).toBeUndefined();
    expect(byName.get(".wh.gone")).toMatchObject({ type: "file", size: 0 });
    expect(byName.get("data/")).toMatchObject({ type: "directory" });
    expect(byName.get("data/.wh..wh..opq")).toMatchObject({ type: "file", size: 0 });
    expect(byName.get("data/new1")).toMatchObject({ type: "file", size: 5 });
    expect(byName.get("new/hard.txt")).toMatchObject({ type: "link", linkname: "new/file.txt" });
    expect(byName.get("new/link")).toMatchObject({ type: "symlink", linkname: "../etc/passwd" });
    expect(byName.get("new/sticky/")?.mode).toBe(0o1777);
    expect(byName.get("new/suid")?.mode).toBe(0o4750);
    expect(byName.get("new/owned")).toMatchObject({ uid: 1234, gid: 5678 });
    expect(byName.get("new/fifo")).toMatchObject({ type: "fifo" });
    expect(byName.get(`new/${LONG}/${LONG}/${LONG}.txt`)).toMatchObject({ type: "file", size: 5 });
    expect(byName.get("new/ünïcödé")).toMatchObject({ type: "file", size: 2 });
    expect(byName.get("keepdir/")?.mode).toBe(0o700);
    expect(byName.get("bin/")).toBeUndefined(); // untouched lower content is not in the diff
    expect(byName.get("etc/keep")).toBeUndefined();
    for (const e of entries) {
      expect(e.uname).toBe("");
      expect(e.gname).toBe("");
      // No atime/ctime/uname records: only names that do not fit and the capability xattr.
      for (const k of Object.keys(e.pax ?? {})) expect(["path", "linkpath", "SCHILY.xattr.security.capability"]).toContain(k);
    }
    const capped = entries.filter((e) => e.pax && "SCHILY.xattr.security.capability" in e.pax).map((e) => e.name);
    expect(capped).toEqual(["new/capped"]);

    const listing = execTar(["--numeric-owner", "-tvf", layer]);
    const lines = listing.trim().split("\n");
    expect(lines).toHaveLength(entries.length);
    const line = (name: string) => lines.find((l) => l.endsWith(` ${name}`) || l.includes(` ${name} `)) ?? "";
    expect(line("etc/.wh.del")).toMatch(/^-rw-------/);
    expect(line("data/.wh..wh..opq")).toMatch(/^-/);
    expect(line("new/hard.txt")).toMatch(/^h.* new\/hard.txt link to new\/file.txt$/);
    expect(line("new/link")).toMatch(/^l.* new\/link -> \.\.\/etc\/passwd$/);
    expect(line("new/sticky/")).toMatch(/^drwxrwxrwt/);
    expect(line("new/suid")).toMatch(/^-rwsr-x---/);
    expect(line("new/owned")).toMatch(/^-rw-r--r-- 1234\/5678 /);
    expect(line("new/fifo")).toMatch(/^p/);
    const xattrs = execTar(["--xattrs", "--xattrs-include=*", "-tvvf", layer, "new/capped"]);
    expect(xattrs).toContain("security.capability");
  });

  it("flatten onto a copy of the lower reproduces the merged view", async () => {
    const layer = join(base, "layer.tar");
    const written = await writeLayer(upper, layer);
    const flat = join(base, "flat");
    sh(`cp -a lower flat`, base);
    const applied = await applyLayer(createReadStream(layer), flat, { mode: "flatten" });
    expect(applied).toEqual(written);
    const flatSnap = await snapshotTree(flat);
    expect(flatSnap).toEqual(mergedSnap);
    expect(flatSnap["new/capped"]?.caps).toBeDefined();
  });

  it("overlay mode rebuilds a layer dir that mounts to the same merged view", async () => {
    const layer = join(base, "layer.tar");
    await writeLayer(upper, layer);
    const layerDir = join(base, "layerdir");
    await mkdir(layerDir);
    await applyLayer(createReadStream(layer), layerDir, { mode: "overlay" });
    const got = await snapshotTree(layerDir, true);
    expect(got["etc/del"]).toMatchObject({ type: "char", rdev: 0 });
    expect(got.gone).toMatchObject({ type: "char", rdev: 0 });
    expect(got.data?.opaque).toBe("y");
    expect(got).toEqual(await snapshotTree(upper, true));

    const merged = join(base, "remerged");
    await mkdir(merged);
    const unmount = mountReadOnly([layerDir, lower], merged);
    try {
      expect(await snapshotTree(merged)).toEqual(mergedSnap);
    } finally {
      unmount();
    }
    // And writing the rebuilt layer dir gives back the same tar.
    const again = await writeLayer(layerDir, join(base, "again.tar"));
    expect(again.diffId).toBe((await writeLayer(upper, join(base, "first.tar"))).diffId);
  });

  it("is reproducible with sourceDateEpoch, to a file or a stream", async () => {
    const epoch = 1_600_000_000;
    const a = await writeLayer(upper, join(base, "a.tar"), { sourceDateEpoch: epoch });
    sh("touch etc/passwd new/file.txt data", upper);
    const b = await writeLayer(upper, join(base, "b.tar"), { sourceDateEpoch: epoch });
    expect(b).toEqual(a);
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on("data", (c: Buffer) => chunks.push(c));
    const c = await writeLayer(upper, sink, { sourceDateEpoch: epoch });
    expect(c).toEqual(a);
    expect(Buffer.concat(chunks).equals(await readFile(join(base, "a.tar")))).toBe(true);
    for (const e of await listTar(join(base, "a.tar"))) expect(e.mtime).toBeLessThanOrEqual(epoch);
  });
});

function execTar(args: string[]): string {
  return sh(`tar ${args.map((a) => `'${a}'`).join(" ")}`, "/");
}
