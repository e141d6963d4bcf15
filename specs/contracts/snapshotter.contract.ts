/**
 * The Snapshotter contract (runtime/snapshot/snapshotter.ts) as vitest
 * cases, for every implementation: `snapshotterContract(name, factory)`
 * declares a describe block; snapshotter.spec.ts calls it once per
 * implementation. Real mounts: the cases mount what the snapshotter hands
 * out (runtime/fs/mount.ts) and change files through them, as a build step
 * does.
 *
 * The factory gives one snapshotter with the content store its `unpack`
 * reads from, plus what only the implementation can see: `scratch()` lists
 * what active snapshots, views and unpacks left in its scratch space (empty
 * whenever none is in progress), and `cleanup` (unmounts, removes).
 */
import { createHash } from "node:crypto";
import { access, chmod, mkdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { gzipSync } from "node:zlib";
import { extract as tarExtract } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mount, unmount } from "../../runtime/fs/mount.ts";
import type { ActiveSnapshot, Snapshotter } from "../../runtime/snapshot/snapshotter.ts";
import type { ContentStore } from "../../runtime/store/content.ts";

export interface SnapshotterSubject {
  readonly snapshotter: Snapshotter;
  /** Where `unpack` reads blobs from. */
  readonly content: ContentStore;
  /** What is left in the snapshotter's scratch space (run dirs, unpack dirs). */
  scratch(): Promise<string[]>;
  cleanup(): Promise<void>;
}

const sha = (b: Uint8Array | string): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

/** A Writable that keeps what it is given. */
function collector(): { out: Writable; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _e, cb) {
      parts.push(chunk);
      cb();
    },
  });
  return { out, bytes: () => Buffer.concat(parts) };
}

/** Entry names of a tar (tar-stream: an independent reader). */
async function entries(tar: Buffer): Promise<string[]> {
  const ex = tarExtract();
  const names: string[] = [];
  const done = (async () => {
    for await (const e of ex) {
      names.push(e.header.name);
      e.resume();
    }
  })();
  ex.end(tar);
  await done;
  return names;
}

/** Runs `fn` with the snapshot mounted on its merged dir. */
async function mounted<T>(s: ActiveSnapshot, fn: (root: string) => Promise<T>): Promise<T> {
  await mount(s.mount, s.merged);
  try {
    return await fn(s.merged);
  } finally {
    await unmount(s.merged);
  }
}

export function snapshotterContract(name: string, factory: () => Promise<SnapshotterSubject>): void {
  describe(`Snapshotter contract: ${name}`, () => {
    let subject: SnapshotterSubject;
    let sn: Snapshotter;
    /** A committed base layer: /hello.txt and /d/f. */
    let base: { diffId: string; tar: Buffer };
    beforeAll(async () => {
      subject = await factory();
      sn = subject.snapshotter;
      base = await layer([], async (root) => {
        await writeFile(join(root, "hello.txt"), "hello\n");
        await mkdir(join(root, "d"));
        await writeFile(join(root, "d", "f"), "f\n");
      });
    });
    afterAll(async () => {
      await subject?.cleanup();
    });

    /** prepare → mount → change → unmount → diff; the active snapshot is left for the caller to commit or discard. */
    async function change(parents: readonly string[], fn: (root: string) => Promise<void>) {
      const active = await sn.prepare(parents);
      await mounted(active, fn);
      const c = collector();
      const r = await sn.diff(active, c.out);
      return { active, ...r, tar: c.bytes() };
    }

    /** A committed layer made by `fn` over `parents`. */
    async function layer(parents: readonly string[], fn: (root: string) => Promise<void>): Promise<{ diffId: string; tar: Buffer }> {
      const c = await change(parents, fn);
      try {
        await sn.commit(c.active, c.diffId);
      } finally {
        await sn.discard(c.active);
      }
      return { diffId: c.diffId, tar: c.tar };
    }

    it("prepare over no parents, mount, write, unmount, diff, commit: the layer is committed under its diffID, nothing left in scratch", async () => {
      const active = await sn.prepare([]);
      expect(active.readonly).toBe(false);
      await mounted(active, async (root) => {
        await writeFile(join(root, "first.txt"), "first\n");
        await mkdir(join(root, "e"));
        await writeFile(join(root, "e", "g"), "g\n");
      });
      expect(await sn.changed(active)).toBe(true);
      const c = collector();
      const r = await sn.diff(active, c.out);
      const tar = c.bytes();
      // The diff is the layer tar: its sha256 is the diffID, the way the build names layers.
      expect(r.diffId).toBe(sha(tar));
      expect(r.size).toBe(tar.length);
      expect((await entries(tar)).sort()).toEqual(["e/", "e/g", "first.txt"]);
      expect(await sn.has(r.diffId)).toBe(false);
      await sn.commit(active, r.diffId);
      expect(await sn.has(r.diffId)).toBe(true);
      const info = await sn.stat(r.diffId);
      expect(info?.diffId).toBe(r.diffId);
      expect(info?.created).toBeInstanceOf(Date);
      expect((await sn.list()).map((i) => i.diffId)).toContain(r.diffId);
      expect(await subject.scratch()).toEqual([]);
      // Commit ended it: discard is a no-op, another commit or diff is refused.
      await sn.discard(active);
      await expect(sn.commit(active, r.diffId)).rejects.toMatchObject({ code: "SNAPSHOT_ENDED" });
      await expect(sn.diff(active, collector().out)).rejects.toMatchObject({ code: "SNAPSHOT_ENDED" });
      expect(await sn.has(r.diffId)).toBe(true);
    });

    it("diff into a content-store writer: the writer's digest is the diffID, and the committed blob is the tar", async () => {
      const active = await sn.prepare([]);
      await mounted(active, async (root) => {
        await writeFile(join(root, "w.txt"), "through a writer\n");
      });
      const writer = await subject.content.writer();
      try {
        const r = await sn.diff(active, writer);
        expect(r.diffId).toBe(writer.digest());
        expect(r.size).toBe(writer.size);
        const blob = await writer.commit({ digest: r.diffId, size: r.size });
        const tar = await subject.content.readBytes(blob.digest);
        expect(sha(tar)).toBe(r.diffId);
        expect(await entries(tar)).toEqual(["w.txt"]);
        await sn.commit(active, r.diffId);
        expect(await sn.has(r.diffId)).toBe(true);
      } finally {
        await writer.abort();
        await sn.discard(active);
      }
    });

    it("a snapshot prepared over a committed parent shows the parent's files", async () => {
      const active = await sn.prepare([base.diffId]);
      try {
        await mounted(active, async (root) => {
          expect(await readFile(join(root, "hello.txt"), "utf8")).toBe("hello\n");
          expect(await readFile(join(root, "d", "f"), "utf8")).toBe("f\n");
        });
        expect(await sn.changed(active)).toBe(false);
      } finally {
        await sn.discard(active);
      }
      expect(await subject.scratch()).toEqual([]);
    });

    it("a delete in a child is a whiteout: hidden in a view of both, still there in a view of the parent", async () => {
      const c = await change([base.diffId], async (root) => {
        await rm(join(root, "hello.txt"));
        await writeFile(join(root, "child.txt"), "child\n");
      });
      try {
        expect((await entries(c.tar)).sort()).toEqual([".wh.hello.txt", "child.txt"]);
        await sn.commit(c.active, c.diffId);
      } finally {
        await sn.discard(c.active);
      }
      const both = await sn.view([base.diffId, c.diffId]);
      const parent = await sn.view([base.diffId]);
      try {
        expect(both.readonly).toBe(true);
        await mounted(both, async (root) => {
          expect(await exists(join(root, "hello.txt"))).toBe(false);
          expect(await readFile(join(root, "child.txt"), "utf8")).toBe("child\n");
          expect(await readFile(join(root, "d", "f"), "utf8")).toBe("f\n");
        });
        await mounted(parent, async (root) => {
          expect(await readFile(join(root, "hello.txt"), "utf8")).toBe("hello\n");
          expect(await exists(join(root, "child.txt"))).toBe(false);
        });
      } finally {
        await sn.discard(both);
        await sn.discard(parent);
      }
      expect(await subject.scratch()).toEqual([]);
    });

    it("a view is read-only, and discard unmounts and removes it", async () => {
      const v = await sn.view([base.diffId]);
      await mount(v.mount, v.merged);
      await expect(writeFile(join(v.merged, "new.txt"), "x")).rejects.toMatchObject({ code: "EROFS" });
      await expect(rm(join(v.merged, "hello.txt"))).rejects.toMatchObject({ code: "EROFS" });
      // Still mounted: discard unmounts it first.
      await sn.discard(v);
      expect(await subject.scratch()).toEqual([]);
      const empty = await sn.view([]);
      try {
        await mounted(empty, async (root) => {
          await expect(writeFile(join(root, "x"), "x")).rejects.toMatchObject({ code: "EROFS" });
        });
      } finally {
        await sn.discard(empty);
      }
    });

    it("discard drops the changes (even while mounted) and leaves nothing under the scratch space", async () => {
      const before = (await sn.list()).map((i) => i.diffId).sort();
      const active = await sn.prepare([base.diffId]);
      await mount(active.mount, active.merged);
      await writeFile(join(active.merged, "dropped.txt"), "dropped\n");
      await sn.discard(active);
      await sn.discard(active);
      expect(await subject.scratch()).toEqual([]);
      expect((await sn.list()).map((i) => i.diffId).sort()).toEqual(before);
      await expect(sn.commit(active, sha("x"))).rejects.toMatchObject({ code: "SNAPSHOT_ENDED" });
    });

    it("commit and diff of a snapshot still mounted are refused", async () => {
      const active = await sn.prepare([base.diffId]);
      try {
        await mount(active.mount, active.merged);
        await writeFile(join(active.merged, "m.txt"), "m\n");
        await expect(sn.diff(active, collector().out)).rejects.toMatchObject({ code: "SNAPSHOT_MOUNTED" });
        await expect(sn.commit(active, sha("x"))).rejects.toMatchObject({ code: "SNAPSHOT_MOUNTED" });
        await unmount(active.merged);
        expect(await sn.changed(active)).toBe(true);
      } finally {
        await sn.discard(active);
      }
    });

    it("a commit under a diffID its diff does not hash to is refused, with a diff first or without", async () => {
      const c = await change([], async (root) => {
        await writeFile(join(root, "named.txt"), "named\n");
      });
      const wrong = sha("not this layer");
      try {
        await expect(sn.commit(c.active, wrong)).rejects.toMatchObject({ code: "SNAPSHOT_DIFFID_MISMATCH" });
      } finally {
        await sn.discard(c.active);
      }
      const undiffed = await sn.prepare([]);
      try {
        await mounted(undiffed, (root) => writeFile(join(root, "undiffed.txt"), "u\n"));
        await expect(sn.commit(undiffed, wrong)).rejects.toMatchObject({ code: "SNAPSHOT_DIFFID_MISMATCH" });
      } finally {
        await sn.discard(undiffed);
      }
      expect(await sn.has(wrong)).toBe(false);
      expect(await subject.scratch()).toEqual([]);
    });

    it("two commits of the same diffID both succeed", async () => {
      const same = async (root: string): Promise<void> => {
        await writeFile(join(root, "same.txt"), "same\n");
        await chmod(join(root, "same.txt"), 0o644);
        await utimes(join(root, "same.txt"), 1_000_000, 1_000_000);
      };
      const [a, b] = await Promise.all([change([base.diffId], same), change([base.diffId], same)]);
      if (a === undefined || b === undefined) throw new Error("unreachable");
      expect(a.diffId).toBe(b.diffId);
      expect(await sn.has(a.diffId)).toBe(false);
      try {
        await Promise.all([sn.commit(a.active, a.diffId), sn.commit(b.active, b.diffId)]);
      } finally {
        await sn.discard(a.active);
        await sn.discard(b.active);
      }
      expect(await sn.has(a.diffId)).toBe(true);
      const v = await sn.view([base.diffId, a.diffId]);
      try {
        await mounted(v, async (root) => expect(await readFile(join(root, "same.txt"), "utf8")).toBe("same\n"));
      } finally {
        await sn.discard(v);
      }
      // And once more, in sequence: committing a diffID already committed is success.
      const again = await change([base.diffId], same);
      try {
        await sn.commit(again.active, again.diffId);
      } finally {
        await sn.discard(again.active);
      }
      expect(await subject.scratch()).toEqual([]);
    });

    it("unpack makes a committed snapshot from a content-store blob, uncompressed or gzip, checked against its diffID", async () => {
      // Layers diffed but not committed: their tars are what a pulled or loaded image would bring.
      const made = [];
      for (const text of ["plain", "gzipped"]) {
        const c = await change([base.diffId], (root) => writeFile(join(root, `${text}.txt`), `${text}\n`));
        await sn.discard(c.active);
        made.push(c);
      }
      const [plain, gz] = made as [(typeof made)[0], (typeof made)[0]];
      const plainBlob = await subject.content.putBytes(plain.tar);
      const gzBlob = await subject.content.putBytes(gzipSync(gz.tar));
      expect(plainBlob.digest).toBe(plain.diffId);
      await sn.unpack(plain.diffId, plainBlob.digest);
      await sn.unpack(gz.diffId, gzBlob.digest);
      expect(await sn.has(plain.diffId)).toBe(true);
      expect(await sn.has(gz.diffId)).toBe(true);
      const v = await sn.view([base.diffId, plain.diffId, gz.diffId]);
      try {
        await mounted(v, async (root) => {
          expect(await readFile(join(root, "plain.txt"), "utf8")).toBe("plain\n");
          expect(await readFile(join(root, "gzipped.txt"), "utf8")).toBe("gzipped\n");
          expect(await readFile(join(root, "hello.txt"), "utf8")).toBe("hello\n");
        });
      } finally {
        await sn.discard(v);
      }
      // Already committed: the blob is not needed (not even read).
      await sn.unpack(plain.diffId, sha("a blob that is not stored"));
      expect(await subject.scratch()).toEqual([]);
    });

    it("unpack of a blob whose content does not hash to the diffID fails and commits nothing", async () => {
      const c = await change([base.diffId], (root) => writeFile(join(root, "mismatch.txt"), "m\n"));
      await sn.discard(c.active);
      const blob = await subject.content.putBytes(c.tar);
      const wrong = sha("the config says something else");
      const before = (await sn.list()).map((i) => i.diffId).sort();
      const err = await sn.unpack(wrong, blob.digest).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "SNAPSHOT_DIFFID_MISMATCH" });
      expect((err as Error).message).toContain(c.diffId);
      expect(await sn.has(wrong)).toBe(false);
      expect(await sn.has(c.diffId)).toBe(false);
      expect((await sn.list()).map((i) => i.diffId).sort()).toEqual(before);
      expect(await subject.scratch()).toEqual([]);
      // A blob that is not stored: the content store's own error.
      await expect(sn.unpack(wrong, sha("missing blob"))).rejects.toMatchObject({ code: "STORE_BLOB_NOT_FOUND" });
      expect(await subject.scratch()).toEqual([]);
    });

    it("apply: a tar stream becomes the snapshot of the diffID it hashes to; a diffID it does not hash to is refused", async () => {
      const c = await change([base.diffId], (root) => writeFile(join(root, "applied.txt"), "a\n"));
      await sn.discard(c.active);
      await expect(sn.apply(Readable.from([c.tar]), sha("wrong"))).rejects.toMatchObject({ code: "SNAPSHOT_DIFFID_MISMATCH" });
      expect(await sn.has(c.diffId)).toBe(false);
      expect(await sn.apply(Readable.from([c.tar.subarray(0, 700), c.tar.subarray(700)]))).toBe(c.diffId);
      expect(await sn.has(c.diffId)).toBe(true);
      // Again: read to the end, and success.
      expect(await sn.apply(Readable.from([c.tar]), c.diffId)).toBe(c.diffId);
      expect(await subject.scratch()).toEqual([]);
    });

    it("prepare or view over a layer that is not committed: SNAPSHOT_NOT_FOUND, nothing left", async () => {
      const missing = sha("never committed");
      await expect(sn.prepare([base.diffId, missing])).rejects.toMatchObject({ code: "SNAPSHOT_NOT_FOUND" });
      await expect(sn.view([missing])).rejects.toMatchObject({ code: "SNAPSHOT_NOT_FOUND" });
      expect(await subject.scratch()).toEqual([]);
    });

    it("remove deletes a committed snapshot once", async () => {
      const l = await layer([], (root) => writeFile(join(root, "removed.txt"), "r\n"));
      expect(await sn.has(l.diffId)).toBe(true);
      expect(await sn.remove(l.diffId)).toBe(true);
      expect(await sn.has(l.diffId)).toBe(false);
      expect(await sn.stat(l.diffId)).toBeUndefined();
      expect((await sn.list()).map((i) => i.diffId)).not.toContain(l.diffId);
      expect(await sn.remove(l.diffId)).toBe(false);
      await expect(sn.prepare([l.diffId])).rejects.toMatchObject({ code: "SNAPSHOT_NOT_FOUND" });
      // It can be made again from its tar.
      expect(await sn.apply(Readable.from([l.tar]))).toBe(l.diffId);
      expect(await sn.has(l.diffId)).toBe(true);
      expect(await subject.scratch()).toEqual([]);
    });
  });
}
