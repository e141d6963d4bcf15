/**
 * The entry headers of one stored layer, for the waste analysis (analyze.ts): each entry's path
 * (normalized), what it is about (an entry, a whiteout of a path, an opaque marker), its type and
 * its size. Never a body: an uncompressed layer file is read by seeking over the bodies
 * (TarReader.ofFile); a compressed blob (a pulled layer) is decompressed as a stream and the bodies
 * skipped as they pass (TarReader over decompressed()). Memory: the headers of one layer.
 *
 * Own path normalization, not layer-index.ts's `what`: that one refuses any path that is not
 * plain and relative (it reads the per-step layers Strata itself writes), while an image's layers
 * from elsewhere often name entries `./etc/…` or list the root `./`; here those are read as the
 * paths they mean, and an entry that climbs out (`..`) is skipped, as applying the layer would.
 */
import { open } from "node:fs/promises";
import { posix } from "node:path";
import { StrataError } from "../../errors/error.ts";
import { decompressed } from "../../layer/decompress.ts";
import { OPAQUE, parentOf, WHITEOUT } from "../../layer/layer-index.ts";
import type { EntryType } from "../../layer/tar-format.ts";
import { TarReader } from "../../layer/tar-reader.ts";
import { CompressedBlobs } from "../../store/compressed.ts";
import type { Store } from "../../store/store.ts";

export interface LayerHeader {
  /** Relative, without "./", a leading or a trailing "/"; for a whiteout the removed path, for an opaque marker its directory ("" for the root). */
  readonly path: string;
  readonly kind: "entry" | "whiteout" | "opaque";
  readonly type: EntryType;
  readonly size: number;
}

/** Where a layer's bytes are: an uncompressed tar file, or a blob (compressed or not) to stream. */
export type LayerSource = { readonly file: string } | { readonly blob: string };

function normalize(name: string): string | undefined {
  const p = posix.normalize(`/${name}`).slice(1).replace(/\/+$/, "");
  return p === ".." || p.startsWith("../") ? undefined : p;
}

function header(name: string, type: EntryType, size: number): LayerHeader | undefined {
  const path = normalize(name);
  if (path === undefined) return undefined;
  const dir = parentOf(path);
  const base = path.slice(dir === "" ? 0 : dir.length + 1);
  if (base === OPAQUE) return { path: dir, kind: "opaque", type, size };
  if (base.startsWith(WHITEOUT)) return { path: dir === "" ? base.slice(WHITEOUT.length) : `${dir}/${base.slice(WHITEOUT.length)}`, kind: "whiteout", type, size };
  if (path === "") return undefined; // the root itself: nothing to count
  return { path, kind: "entry", type, size };
}

async function collect(reader: TarReader): Promise<LayerHeader[]> {
  const out: LayerHeader[] = [];
  for (let e = await reader.next(); e !== null; e = await reader.next()) {
    const h = header(e.name, e.type, e.type === "file" ? e.size : 0);
    if (h !== undefined) out.push(h);
  }
  return out;
}

/** The headers of a layer, in tar order. */
export async function layerHeaders(store: Store, source: LayerSource): Promise<LayerHeader[]> {
  if ("file" in source) {
    const fh = await open(source.file, "r");
    try {
      return await collect(TarReader.ofFile(fh));
    } finally {
      await fh.close();
    }
  }
  const { stream } = await decompressed(store.content.read(source.blob), { subject: source.blob });
  const reader = new TarReader(stream);
  try {
    return await collect(reader);
  } finally {
    await reader.close();
    stream.destroy();
  }
}

/**
 * Where the layer `diffId` is in the store: its uncompressed blob, else the compressed blob the
 * image names (`blob`, a manifest's layer digest), else a compressed form the store remembers.
 */
export async function layerSource(store: Store, diffId: string, blob?: string): Promise<LayerSource> {
  if (await store.content.has(diffId)) return { file: store.content.path(diffId) };
  if (blob !== undefined && (await store.content.has(blob))) return { blob };
  const index = new CompressedBlobs(store.layout);
  for (const c of ["gzip", "zstd"] as const) {
    const rec = await index.get(diffId, c);
    if (rec !== undefined && (await store.content.has(rec.digest))) return { blob: rec.digest };
  }
  throw new StrataError("STORE_BLOB_NOT_FOUND", `layer ${diffId}: the store holds neither it nor a compressed form of it`);
}
