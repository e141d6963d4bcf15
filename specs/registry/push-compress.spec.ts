/**
 * The push's compressor (image/compression.ts: the stored layer read in 4 MiB pieces into
 * recycled buffers, gzipped 3 at a time by reused zlib streams): what it stores gunzips to the layer
 * byte for byte and is one-shot gzip's member for each piece,
 * for a layer of many pieces and a ragged end, the same digest each time; the pieces' output
 * buffers are used again once released, and never while a chunk of one is held; zstd too; and a
 * stored layer that does not hash to its digest fails with STORE_CORRUPT, recording nothing.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync, zstdDecompressSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { compressAndRemember, DEFAULT_GZIP_LEVEL } from "../../runtime/image/compression.ts";
import { Store } from "../../runtime/store/store.ts";
import { tempDir } from "../helpers/strata.ts";

const root = tempDir("push-compress");
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** 23 MiB + 12345 bytes: half random (incompressible), half runs of one byte, so pieces differ in size once compressed. */
function layerBytes(): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < 23; i++) parts.push(i % 2 ? Buffer.alloc(1 << 20, i) : randomBytes(1 << 20));
  parts.push(randomBytes(12345));
  return Buffer.concat(parts);
}

describe("push compression", () => {
  const store = new Store(root);
  const bytes = layerBytes();

  it("gzip: the stored blob gunzips to the layer, and compressing again gives the same digest", async () => {
    const layer = await store.content.putBytes(bytes);
    const a = await compressAndRemember(store, layer.digest, "gzip", undefined);
    const gz = readFileSync(store.content.path(a.digest));
    expect(gunzipSync(gz).equals(bytes)).toBe(true);
    rmSync(join(root, "compressed"), { recursive: true, force: true });
    const b = await compressAndRemember(store, layer.digest, "gzip", undefined);
    expect(b.digest).toBe(a.digest);
  });

  it("gzip: each 4 MiB piece is the member zlib's one-shot gzip makes of it, whatever came before it", async () => {
    const layer = await store.content.putBytes(bytes);
    rmSync(join(root, "compressed"), { recursive: true, force: true });
    const a = await compressAndRemember(store, layer.digest, "gzip", undefined);
    const members: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 4 << 20) members.push(gzipSync(bytes.subarray(at, at + (4 << 20)), { level: DEFAULT_GZIP_LEVEL, memLevel: 9 }));
    expect(members.length).toBe(6);
    expect(readFileSync(store.content.path(a.digest)).equals(Buffer.concat(members))).toBe(true);
  });

  it("gzip: a piece's output buffer is used again once both sides released its chunks, never while one still holds a chunk", async () => {
    const layer = await store.content.putBytes(bytes);
    rmSync(join(root, "compressed"), { recursive: true, force: true });
    const seen: Uint8Array[] = [];
    const copies: Buffer[] = [];
    let held: { chunk: Uint8Array; copy: Buffer } | undefined;
    // The push's upload side, standing in: it releases every chunk as it passes but the second, which it keeps.
    async function* through(chunks: AsyncIterable<Uint8Array>, release: (c: Uint8Array) => void): AsyncGenerator<Uint8Array> {
      for await (const c of chunks) {
        seen.push(c);
        copies.push(Buffer.from(c));
        if (seen.length === 2) held = { chunk: c, copy: Buffer.from(c) };
        else release(c);
        yield c;
      }
    }
    const a = await compressAndRemember(store, layer.digest, "gzip", undefined, { through });
    const gz = readFileSync(store.content.path(a.digest));
    expect(gunzipSync(gz).equals(bytes)).toBe(true);
    expect(Buffer.concat(copies).equals(gz)).toBe(true);
    // 6 pieces in 4 buffers at most (3 in flight, and the one the kept chunk holds), which was not used again.
    const buffers = new Set(seen.map((c) => c.buffer));
    expect(buffers.size).toBeLessThanOrEqual(4);
    expect(seen.filter((c) => c.buffer === held?.chunk.buffer)).toHaveLength(1);
    expect(Buffer.from(held?.chunk ?? []).equals(held?.copy ?? Buffer.alloc(1))).toBe(true);
  });

  it("gzip: an empty layer and one smaller than a piece are one member each", async () => {
    for (const small of [Buffer.alloc(0), Buffer.from("a small layer\n")]) {
      const layer = await store.content.putBytes(small);
      const a = await compressAndRemember(store, layer.digest, "gzip", undefined);
      const gz = readFileSync(store.content.path(a.digest));
      expect(gz.equals(gzipSync(small, { level: DEFAULT_GZIP_LEVEL, memLevel: 9 }))).toBe(true);
    }
  });

  it("zstd: the stored blob decompresses to the layer", async () => {
    const layer = await store.content.putBytes(bytes);
    const z = await compressAndRemember(store, layer.digest, "zstd", undefined);
    expect(zstdDecompressSync(readFileSync(store.content.path(z.digest))).equals(bytes)).toBe(true);
  });

  it("a stored layer that does not hash to its digest: STORE_CORRUPT, nothing recorded", async () => {
    const other = Buffer.concat([bytes, Buffer.from("x")]);
    const layer = await store.content.putBytes(other);
    const path = store.content.path(layer.digest);
    chmodSync(path, 0o644);
    const bad = Buffer.from(other);
    bad[5 << 20] = (bad[5 << 20] as number) ^ 1;
    writeFileSync(path, bad);
    rmSync(join(root, "compressed"), { recursive: true, force: true });
    await expect(compressAndRemember(store, layer.digest, "gzip", undefined)).rejects.toMatchObject({ code: "STORE_CORRUPT" });
    expect(existsSync(join(root, "compressed"))).toBe(false);
  });
});
