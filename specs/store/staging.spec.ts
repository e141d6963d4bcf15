/**
 * Staging (runtime/image/staging.ts): blobs of a pull or load are written
 * and checked through the store's content writers, but become blobs only
 * when the whole image is committed; a failed one leaves nothing.
 */
import { createHash, randomBytes } from "node:crypto";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { Staging } from "../../runtime/image/staging.ts";
import { Store } from "../../runtime/store/store.ts";
import { tempDir } from "../helpers/strata.ts";

const sha = (b: Uint8Array | string): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

describe("staging", () => {
  const roots: string[] = [];
  const fresh = (): Store => {
    const root = tempDir("staging");
    roots.push(root);
    return new Store(root);
  };
  const blobs = async (s: Store): Promise<string[]> => (await readdir(s.layout.blobs).catch(() => [] as string[])).sort();
  const tmp = async (s: Store): Promise<string[]> => readdir(s.layout.tmp).catch(() => [] as string[]);
  afterEach(async () => {
    for (const r of roots.splice(0)) await rm(r, { recursive: true, force: true });
  });

  it("a staged blob is readable through the staging but no blob until commit; commit(only) commits those named, discard drops the rest", async () => {
    const store = fresh();
    const staging = new Staging(store);
    const config = Buffer.from('{"rootfs":{"diff_ids":[]}}');
    const layer = randomBytes(6 << 20);
    await staging.ingest(Readable.from([config]), { digest: sha(config), size: config.length, label: "config" }, null);
    const r = await staging.ingest(Readable.from([layer.subarray(0, 100), layer.subarray(100)]), { digest: sha(layer), label: "layer" }, null);
    expect(r).toEqual({ digest: sha(layer), size: layer.length, raw: { digest: sha(layer), size: layer.length } });
    const m = await staging.putBytes("manifest");
    expect(await staging.has(sha(config))).toBe(true);
    expect(await store.content.has(sha(config))).toBe(false);
    expect(await blobs(store)).toEqual([]);
    expect(await staging.readJson(sha(config))).toEqual({ rootfs: { diff_ids: [] } });
    expect((await readFile(staging.path(sha(layer)))).equals(layer)).toBe(true);
    await staging.commit(new Set([sha(config), sha(layer)]));
    expect(await blobs(store)).toEqual([sha(config), sha(layer)].map((d) => d.slice(7)).sort());
    expect((await stat(store.content.path(sha(layer)))).mode & 0o777).toBe(0o444);
    expect(await store.content.has(m.digest)).toBe(false);
    await staging.discard();
    expect(await store.content.has(m.digest)).toBe(false);
    expect(await tmp(store)).toEqual([]);
    // Stored blobs read through the staging too.
    expect(await staging.readJson(sha(config))).toEqual({ rootfs: { diff_ids: [] } });
  });

  it("a blob whose bytes do not match its descriptor is refused and leaves nothing", async () => {
    const store = fresh();
    const staging = new Staging(store);
    const bytes = randomBytes(1 << 20);
    await expect(staging.ingest(Readable.from([bytes]), { digest: sha("other"), label: "layer x" }, null)).rejects.toMatchObject({
      code: "STORE_DIGEST_MISMATCH",
      message: expect.stringMatching(/^layer x: the bytes received hash to sha256:[a-f0-9]{64}, not sha256:[a-f0-9]{64}; refused$/),
    });
    await expect(staging.ingest(Readable.from([bytes]), { digest: sha(bytes), size: 3, label: "layer y" }, null)).rejects.toThrow(/layer y: 1048576 bytes received, the descriptor says 3; refused/);
    expect(await staging.has(sha(bytes))).toBe(false);
    await staging.commit();
    expect(await blobs(store)).toEqual([]);
    expect(await tmp(store)).toEqual([]);
  });

  it("a compressed layer is stored uncompressed, checked against the registry digest and the diffID", async () => {
    const store = fresh();
    const staging = new Staging(store);
    const tar = randomBytes(3 << 20);
    const gz = gzipSync(tar);
    const r = await staging.ingest(Readable.from([gz]), { digest: sha(gz), size: gz.length, label: "layer" }, "gzip", sha(tar));
    expect(r).toEqual({ digest: sha(tar), size: tar.length, raw: { digest: sha(gz), size: gz.length } });
    await expect(staging.ingest(Readable.from([gz]), { digest: sha(gz), label: "layer b" }, "gzip", sha("other diffID"))).rejects.toThrow(/layer b: the uncompressed layer does not hash to the diffID/);
    await expect(staging.ingest(Readable.from([gz]), { digest: sha("other"), label: "layer c" }, "gzip", sha(tar))).rejects.toThrow(/layer c: the bytes received hash to/);
    const broken = Buffer.from(gz);
    broken.fill(7, 20, 200);
    await expect(staging.ingest(Readable.from([broken]), { label: "layer d" }, "gzip")).rejects.toMatchObject({ code: "STORE_DIGEST_MISMATCH", message: expect.stringMatching(/^layer d: cannot decompress/) });
    await staging.commit();
    expect(await blobs(store)).toEqual([sha(tar).slice(7)]);
    expect(await tmp(store)).toEqual([]);
  });

  it("the same blob staged twice is committed once", async () => {
    const store = fresh();
    const staging = new Staging(store);
    const bytes = Buffer.from("twice");
    await Promise.all([1, 2].map(() => staging.ingest(Readable.from([bytes]), { digest: sha(bytes), label: "x" }, null)));
    await staging.commit();
    expect(await blobs(store)).toEqual([sha(bytes).slice(7)]);
    expect(await tmp(store)).toEqual([]);
  });
});
