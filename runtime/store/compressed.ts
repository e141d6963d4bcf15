import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Descriptor } from "./content-store.ts";
import { hexOf, type StoreLayout } from "./layout.ts";
import { atomicWrite } from "../fs/atomic-write.ts";
import type { Compression } from "../layer/decompress.ts";

export type { Compression } from "../layer/decompress.ts";

/**
 * The compressed-blob index: layers are stored uncompressed (the blob digest
 * is the diffID), so each time one leaves the machine compressed, the
 * compressed form is remembered here, keyed by the uncompressed digest and
 * the compression: compressed/<diffID hex>.<gzip|zstd>.json → the compressed
 * blob's descriptor. The compressed blob itself is kept in blobs/ when Strata
 * made it (save, push), so the next save or push reuses it; when it came from a
 * registry (pull) only the descriptor is kept: the registry has the blob, and
 * a push to it checks with a HEAD first. GC may delete a compressed blob (no
 * manifest names it); a record whose blob is gone just means compress again.
 */
export interface CompressedRecord extends Descriptor {
  /** Repositories (host/path) known to hold the blob: cross-repository mount sources. */
  readonly sources?: readonly string[];
  /** The layer's unpacked (uncompressed tar) size, once measured (runtime/image/unpacked-size.ts). */
  readonly unpackedSize?: number;
}

export class CompressedBlobs {
  readonly layout: StoreLayout;
  constructor(layout: StoreLayout) {
    this.layout = layout;
  }

  get dir(): string {
    return join(this.layout.root, "compressed");
  }

  path(diffId: string, c: Compression): string {
    return join(this.dir, `${hexOf(diffId)}.${c}.json`);
  }

  async get(diffId: string, c: Compression): Promise<CompressedRecord | undefined> {
    try {
      return JSON.parse(await readFile(this.path(diffId, c), "utf8")) as CompressedRecord;
    } catch {
      return undefined;
    }
  }

  async put(diffId: string, c: Compression, record: CompressedRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await atomicWrite(this.path(diffId, c), JSON.stringify(record), this.layout.tmp);
  }

  /** Adds a repository that holds the compressed blob (keeps the last few). */
  async addSource(diffId: string, c: Compression, record: Descriptor, repo: string): Promise<void> {
    const old = await this.get(diffId, c);
    const same = old?.digest === record.digest;
    const sources = [repo, ...((same ? old?.sources : undefined) ?? []).filter((s) => s !== repo)].slice(0, 8);
    const unpackedSize = same ? old?.unpackedSize : undefined;
    await this.put(diffId, c, { mediaType: record.mediaType, digest: record.digest, size: record.size, sources, ...(unpackedSize !== undefined && { unpackedSize }) });
  }
}
