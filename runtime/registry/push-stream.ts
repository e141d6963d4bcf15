import { PassThrough, type Writable } from "node:stream";
import { compressAndRemember } from "../image/compression.ts";
import type { Descriptor } from "../store/content-store.ts";
import type { CompressedRecord, Compression } from "../store/compressed.ts";
import type { Store } from "../store/store.ts";
import { type Log, short } from "./progress.ts";
import type { Repository } from "./repository.ts";
import { failpoint } from "../fs/failpoint.ts";

/**
 * The push of a layer whose compressed form is not in the store: compressed
 * once, the compressed bytes going both to the store (remembered, as
 * ensureCompressed does) and to a streamed upload (Repository.uploadStream),
 * so the upload overlaps the compression instead of following it.
 *
 * The store pulls each chunk and the upload body is a bounded buffer: the
 * next chunk waits for both, so the slower side paces the compressor and the
 * layer is never held in memory. The upload is completed (the PUT with the
 * digest) only with the digest the store computed, once the store has hashed
 * every byte: the PUT goes out while the store syncs and commits its copy
 * (that copy is a cache for the next push; the registry checks the digest
 * itself), and the push waits for both. If the store side fails before the
 * digest is known, the upload body is cut off mid-stream and the session left
 * to expire; after, the push fails with the store's error. If the upload fails, the store side finishes
 * alone and the blob is uploaded from the stored file (uploadFile, with its
 * retries).
 */
export async function streamLayer(store: Store, repo: Repository, diffId: string, known: CompressedRecord | undefined, o: { compression: Compression; docker: boolean; log: Log }): Promise<Descriptor> {
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  // Once the request is over nobody else listens; a late destroy(err) must not throw.
  body.on("error", () => undefined);
  let digested: (d: string) => void = () => undefined;
  const digest = new Promise<string>((resolve) => {
    digested = resolve;
  });
  // The compressed chunks' buffers are used again once the store has copied a chunk and the socket taken it (output-buffers.ts).
  let release: (chunk: Uint8Array) => void = () => undefined;
  const through = (chunks: AsyncIterable<Uint8Array>, r: typeof release) => {
    release = r;
    return tee(chunks, body);
  };
  const stored = compressAndRemember(store, diffId, o.compression, known, { docker: o.docker, through, digested });
  // Failed before the digest was known: the PUT is never sent.
  const digestOrFail = Promise.race([digest, stored.then((d) => d.digest)]);
  digestOrFail.catch(() => undefined);
  const sent = repo.uploadStream(body, () => digestOrFail, (chunk) => release(chunk)).then(
    () => undefined,
    (e: unknown) => {
      body.destroy();
      return e instanceof Error ? e : new Error(String(e));
    },
  );
  let desc: Descriptor;
  try {
    desc = await stored;
  } catch (e) {
    // Cut the upload body off (tee has if the store failed mid-stream); the PUT, which waits for the store's digest, is never sent.
    body.destroy(e instanceof Error ? e : new Error(String(e)));
    await sent;
    throw e;
  }
  const failed = await sent;
  if (failed) {
    o.log(`${short(desc.digest)}: streamed upload failed (${failed.message}); uploading the stored blob`);
    await repo.uploadFile(desc, store.content.path(desc.digest));
  }
  return desc;
}

/** Passes `chunks` on to the store, writing each to `out` too; the end of `chunks` ends `out`, anything else destroys it. */
async function* tee(chunks: AsyncIterable<Uint8Array>, out: PassThrough): AsyncGenerator<Uint8Array> {
  let ended = false;
  try {
    for await (const c of chunks) {
      const full = !out.destroyed && !out.write(c);
      yield c;
      failpoint("push");
      if (full) await drained(out);
    }
    if (!out.destroyed) out.end();
    ended = true;
  } finally {
    if (!ended) out.destroy(new Error("the compressed layer was not stored; upload abandoned"));
  }
}

/** Resolves when `w` takes writes again, or is destroyed (its reader gave up). */
function drained(w: Writable): Promise<void> {
  if (w.destroyed || !w.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      w.off("drain", done);
      w.off("close", done);
      resolve();
    };
    w.on("drain", done);
    w.on("close", done);
  });
}
