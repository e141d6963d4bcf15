import { createHash } from "node:crypto";
import { type FileHandle, mkdir, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { StrataError } from "../errors/error.ts";
import { savableHasher } from "./hasher.ts";
import { hexOf, type StoreLayout } from "./layout.ts";
import { atomicWrite } from "../fs/atomic-write.ts";

/**
 * Saved SHA-256 states of blobs' first bytes: hash-states/<blob hex> holds, as JSON, a
 * length and hash-wasm's state after that many bytes of the blob (for a layer: its entries,
 * without the end-of-archive), and what the caller wants kept with it (a layer's index,
 * layer-index.ts). A content writer that starts with those bytes (FileContentWriter.after)
 * resumes the state instead of hashing them again, which is what makes re-merging a big
 * layer with an edited small one cheap.
 *
 * A state proves itself before it is used: resumed with the rest of the blob (1 KiB for a
 * layer) it must give the blob's own digest, so a stale or damaged file is computed again,
 * never trusted. What is kept with it carries the sha256 of itself and the blob's digest, and
 * is dropped when that does not match. The bytes a resumed writer copies are not hashed again:
 * a blob damaged on disk after its commit would give a merged blob whose name does not match
 * its bytes, and `strata system verify`, which hashes every blob, reports both. States are local: nothing exports them, and gc drops those of deleted
 * blobs. Below MIN bytes nothing is saved (hashing them again is cheaper than a file).
 */
const MIN = 1 << 20;
const CHUNK = 4 << 20;

export interface PrefixState {
  readonly length: number;
  readonly state: Uint8Array;
  /** What was saved with it (JSON). */
  readonly extra?: unknown;
}

const sumOf = (digest: string, extra: string): string => createHash("sha256").update(digest).update("\0").update(extra).digest("hex");

export class HashStates {
  readonly layout: StoreLayout;
  constructor(layout: StoreLayout) {
    this.layout = layout;
  }

  path(digest: string): string {
    return join(this.layout.hashStates, hexOf(digest));
  }

  /** The saved state of the stored blob `digest` (`size` bytes), when there is one and it proves itself. */
  async saved(digest: string, size: number): Promise<PrefixState | undefined> {
    const rec = await readFile(this.path(digest), "utf8")
      .then((t) => JSON.parse(t) as { v?: number; length?: unknown; state?: unknown; extra?: unknown; sum?: unknown })
      .catch(() => undefined);
    if (rec?.v !== 1 || typeof rec.length !== "number" || typeof rec.state !== "string" || rec.length > size) return undefined;
    const extra = typeof rec.extra === "string" && rec.sum === sumOf(digest, rec.extra) ? { extra: JSON.parse(rec.extra) as unknown } : {};
    const saved = { length: rec.length, state: Buffer.from(rec.state, "base64"), ...extra };
    const fh = await open(this.layout.blob(digest), "r");
    try {
      return (await proves(fh, saved, digest, size)) ? saved : undefined;
    } finally {
      await fh.close();
    }
  }

  /** Hashes the first `length` bytes of the stored blob `digest` and saves the state, with `extra`. */
  async compute(digest: string, length: number, extra?: unknown): Promise<PrefixState> {
    const fh = await open(this.layout.blob(digest), "r");
    try {
      const h = await savableHasher();
      await feed(fh, digest, 0, length, (c) => h.update(c));
      const state = h.save();
      if (length >= MIN) {
        await mkdir(this.layout.hashStates, { recursive: true });
        const kept = extra === undefined ? {} : { extra: JSON.stringify(extra), sum: sumOf(digest, JSON.stringify(extra)) };
        await atomicWrite(this.path(digest), JSON.stringify({ v: 1, length, state: Buffer.from(state).toString("base64"), ...kept }), this.layout.tmp);
      }
      return { length, state, extra };
    } finally {
      await fh.close();
    }
  }
}

/** Whether the state resumed with the blob's bytes from `length` on gives the blob's digest. */
async function proves(fh: FileHandle, { length, state }: PrefixState, digest: string, size: number): Promise<boolean> {
  try {
    const h = await savableHasher(state);
    await feed(fh, digest, length, size, (c) => h.update(c));
    return h.final() === digest;
  } catch {
    return false;
  }
}

async function feed(fh: FileHandle, digest: string, from: number, to: number, take: (chunk: Buffer) => void): Promise<void> {
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, to - from)));
  for (let pos = from; pos < to; ) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, to - pos), pos);
    if (bytesRead === 0) throw new StrataError("STORE_CORRUPT", `blob ${digest} ends at byte ${pos}, before ${to}: run strata system verify`);
    take(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
}
