/**
 * The ContentStore contract (runtime/store/content.ts) as vitest cases, for
 * every implementation: `contentStoreContract(name, factory)` declares a
 * describe block; content-store.spec.ts calls it once per implementation.
 *
 * The factory gives a fresh, empty store per case, plus what only the
 * implementation can see: `ingests()` lists partial writes (for a file store,
 * its ingest files), `readOnly(digest)` says whether a committed blob's
 * bytes are protected from writes.
 */
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { type ContentStore, DigestMismatchError } from "../../runtime/store/content.ts";

export interface ContentStoreSubject {
  readonly store: ContentStore;
  /** Partial writes left behind (ingest files, upload sessions). */
  ingests(): Promise<string[]>;
  /** Whether the committed blob cannot be written to. */
  readOnly(digest: string): Promise<boolean>;
  cleanup(): Promise<void>;
}

const sha = (b: Uint8Array | string): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function collect(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function listed(store: ContentStore): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const b of store.list()) out.set(b.digest, b.size);
  return out;
}

/** Writes `bytes` in chunks of `chunk` bytes. */
async function writeAll(store: ContentStore, bytes: Buffer, chunk = 64 * 1024) {
  const w = await store.writer();
  for (let off = 0; off < bytes.length; off += chunk) await w.write(bytes.subarray(off, off + chunk));
  return w;
}

export function contentStoreContract(name: string, factory: () => Promise<ContentStoreSubject>): void {
  describe(`ContentStore contract: ${name}`, () => {
    let subjects: ContentStoreSubject[] = [];
    const fresh = async (): Promise<ContentStoreSubject> => {
      const s = await factory();
      subjects.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of subjects) await s.cleanup();
      subjects = [];
    });

    it("write + commit: the bytes read back equal, has, info and list know the blob", async () => {
      const { store, ingests } = await fresh();
      const bytes = randomBytes(9 << 20); // more than one write batch
      const w = await writeAll(store, bytes);
      expect(w.size).toBe(bytes.length);
      expect(w.digest()).toBe(sha(bytes));
      // Nothing is visible before the commit.
      expect(await store.has(sha(bytes))).toBe(false);
      const info = await w.commit({ digest: sha(bytes), size: bytes.length });
      expect(info).toEqual({ digest: sha(bytes), size: bytes.length });
      expect(await store.has(info.digest)).toBe(true);
      expect(await store.info(info.digest)).toEqual(info);
      expect((await store.readBytes(info.digest)).equals(bytes)).toBe(true);
      expect((await collect(store.read(info.digest))).equals(bytes)).toBe(true);
      expect(await listed(store)).toEqual(new Map([[info.digest, bytes.length]]));
      expect(await ingests()).toEqual([]);
      // commit again: the same answer; abort after commit: nothing happens.
      expect(await w.commit()).toEqual(info);
      await w.abort();
      expect(await store.has(info.digest)).toBe(true);
    });

    it("a commit with nothing expected stores the bytes under what they hash to; an empty blob is a blob", async () => {
      const { store } = await fresh();
      const w = await store.writer();
      await w.write(Buffer.from("no expectations"));
      expect(await w.commit()).toEqual({ digest: sha("no expectations"), size: 15 });
      const empty = await (await store.writer()).commit();
      expect(empty).toEqual({ digest: sha(""), size: 0 });
      expect((await store.readBytes(empty.digest)).length).toBe(0);
    });

    it("ingest and putBytes are a writer and its commit", async () => {
      const { store } = await fresh();
      const bytes = randomBytes(300_000);
      expect(await store.ingest(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), { digest: sha(bytes) })).toEqual({ digest: sha(bytes), size: bytes.length });
      expect(await store.putBytes('{"a":1}')).toEqual({ digest: sha('{"a":1}'), size: 7 });
      expect((await store.readBytes(sha('{"a":1}'))).toString()).toBe('{"a":1}');
      expect((await store.readBytes(sha(bytes))).equals(bytes)).toBe(true);
    });

    it("committing content that is already stored succeeds and changes nothing", async () => {
      const { store, ingests } = await fresh();
      const bytes = Buffer.from("twice");
      const first = await (await writeAll(store, bytes)).commit({ digest: sha(bytes) });
      const second = await (await writeAll(store, bytes)).commit({ digest: sha(bytes), size: 5 });
      expect(second).toEqual(first);
      expect(await store.putBytes(bytes)).toEqual(first);
      expect(await store.ingest(Readable.from([bytes]), { digest: sha(bytes) })).toEqual(first);
      expect(await listed(store)).toEqual(new Map([[first.digest, 5]]));
      expect(await ingests()).toEqual([]);
    });

    it("a wrong expected digest: DigestMismatchError, nothing visible, no ingest left", async () => {
      const { store, ingests } = await fresh();
      const bytes = randomBytes(5 << 20);
      const wrong = sha("something else");
      const w = await writeAll(store, bytes);
      const err = await w.commit({ digest: wrong }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DigestMismatchError);
      expect(err).toMatchObject({ code: "STORE_DIGEST_MISMATCH", actual: { digest: sha(bytes), size: bytes.length } });
      expect(await store.has(wrong)).toBe(false);
      expect(await store.has(sha(bytes))).toBe(false);
      expect(await store.info(sha(bytes))).toBeUndefined();
      expect(await listed(store)).toEqual(new Map());
      expect(await ingests()).toEqual([]);
      // The writer is done: no more writes, abort is harmless.
      await expect(w.write(Buffer.from("x"))).rejects.toMatchObject({ code: "STORE_WRITER_CLOSED" });
      await w.abort();
      // ingest and putBytes refuse the same way.
      await expect(store.ingest(Readable.from([bytes]), { digest: wrong })).rejects.toMatchObject({ code: "STORE_DIGEST_MISMATCH" });
      await expect(store.putBytes(bytes, { digest: wrong })).rejects.toMatchObject({ code: "STORE_DIGEST_MISMATCH" });
      expect(await listed(store)).toEqual(new Map());
      expect(await ingests()).toEqual([]);
    });

    it("a wrong expected size (right digest): DigestMismatchError, nothing visible, no ingest left", async () => {
      const { store, ingests } = await fresh();
      const bytes = Buffer.from("sized");
      const w = await writeAll(store, bytes);
      await expect(w.commit({ digest: sha(bytes), size: 6 })).rejects.toMatchObject({ code: "STORE_DIGEST_MISMATCH" });
      expect(await store.has(sha(bytes))).toBe(false);
      expect(await ingests()).toEqual([]);
    });

    it("abort leaves nothing; the aborted writer takes no more writes and cannot commit", async () => {
      const { store, ingests } = await fresh();
      const bytes = randomBytes(6 << 20);
      const w = await writeAll(store, bytes);
      expect((await ingests()).length).toBe(1);
      await w.abort();
      await w.abort();
      expect(await store.has(sha(bytes))).toBe(false);
      expect(await listed(store)).toEqual(new Map());
      expect(await ingests()).toEqual([]);
      await expect(w.write(Buffer.from("x"))).rejects.toMatchObject({ code: "STORE_WRITER_CLOSED" });
      await expect(w.commit()).rejects.toMatchObject({ code: "STORE_WRITER_CLOSED" });
    });

    it("a committed blob is read-only", async () => {
      const { store, readOnly } = await fresh();
      const info = await store.putBytes("read only");
      expect(await readOnly(info.digest)).toBe(true);
      const big = await (await writeAll(store, randomBytes(1 << 20))).commit();
      expect(await readOnly(big.digest)).toBe(true);
    });

    it("a missing blob: has false, info undefined, read and readBytes fail with STORE_BLOB_NOT_FOUND, delete false", async () => {
      const { store } = await fresh();
      const missing = sha("not stored");
      expect(await store.has(missing)).toBe(false);
      expect(await store.info(missing)).toBeUndefined();
      await expect(store.readBytes(missing)).rejects.toMatchObject({ code: "STORE_BLOB_NOT_FOUND", digest: missing });
      await expect(collect(store.read(missing))).rejects.toMatchObject({ code: "STORE_BLOB_NOT_FOUND", digest: missing });
      expect(await store.delete(missing)).toBe(false);
    });

    it("concurrent commits of the same content all succeed, and one blob is left", async () => {
      const { store, ingests } = await fresh();
      const bytes = randomBytes(3 << 20);
      const writers = await Promise.all([1, 2, 3, 4].map(() => writeAll(store, bytes, 1 << 20)));
      const infos = await Promise.all([...writers.map((w) => w.commit({ digest: sha(bytes), size: bytes.length })), store.ingest(Readable.from([bytes]), { digest: sha(bytes) })]);
      for (const i of infos) expect(i).toEqual({ digest: sha(bytes), size: bytes.length });
      expect((await store.readBytes(sha(bytes))).equals(bytes)).toBe(true);
      expect(await listed(store)).toEqual(new Map([[sha(bytes), bytes.length]]));
      expect(await ingests()).toEqual([]);
    });

    it("concurrent writers of different content do not mix their bytes", async () => {
      const { store } = await fresh();
      const blobs = [1, 2, 3].map(() => randomBytes(5 << 20));
      const infos = await Promise.all(blobs.map(async (b) => (await writeAll(store, b, 200_000)).commit({ digest: sha(b) })));
      for (const [i, b] of blobs.entries()) expect((await store.readBytes((infos[i] as { digest: string }).digest)).equals(b)).toBe(true);
    });

    it("delete removes a blob once; list walks what is committed", async () => {
      const { store } = await fresh();
      const a = await store.putBytes("a");
      const b = await store.putBytes("bb");
      const c = await store.putBytes("ccc");
      expect(await listed(store)).toEqual(new Map([a, b, c].map((x) => [x.digest, x.size])));
      expect(await store.delete(b.digest)).toBe(true);
      expect(await store.delete(b.digest)).toBe(false);
      expect(await store.has(b.digest)).toBe(false);
      await expect(store.readBytes(b.digest)).rejects.toMatchObject({ code: "STORE_BLOB_NOT_FOUND" });
      expect(await listed(store)).toEqual(new Map([a, c].map((x) => [x.digest, x.size])));
      // Deleted content can be written again.
      expect(await store.putBytes("bb")).toEqual(b);
      expect(await store.has(b.digest)).toBe(true);
    });

    it("a failing source aborts the ingest: nothing visible, no ingest left", async () => {
      const { store, ingests } = await fresh();
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield randomBytes(5 << 20);
        throw Object.assign(new Error("source broke (test)"), { code: "ETEST" });
      }
      await expect(store.ingest(failing())).rejects.toThrow(/source broke/);
      expect(await listed(store)).toEqual(new Map());
      expect(await ingests()).toEqual([]);
    });
  });
}
