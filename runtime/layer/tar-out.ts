/**
 * TarOut: the buffered, optionally hashing byte sink a layer tar is written through
 * (write-layer.ts walks an upper dir into it, merge-layers.ts merges layer tars into it).
 * Bytes are staged in a 1 MiB buffer, hashed and handed on when it is full.
 */
import { createHash, type Hash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { Writable } from "node:stream";
import { readInto } from "../fs/small-files.ts";
import { LayerError } from "./errors.ts";
import { padding } from "./tar-format.ts";

export const STAGE = 1 << 20;

/** Where the bytes go: a file handle (buffer reusable after write) or a stream (it is not). */
export interface Sink {
  write(chunk: Buffer): Promise<void>;
  readonly reusesBuffer: boolean;
}

/**
 * A destination that hashes what it is given itself (a content-store
 * writer, which copies each chunk: the buffer is reused once `write`
 * resolves): its digest is the diffID, so the layer is hashed once, not twice.
 */
export interface DigestingSink {
  write(chunk: Uint8Array): Promise<void>;
  digest(): string;
}

export function isDigestingSink(out: Writable | string | DigestingSink): out is DigestingSink {
  return typeof out === "object" && !(out instanceof Writable) && typeof (out as DigestingSink).digest === "function";
}

export class TarOut {
  readonly #sink: Sink;
  /** Undefined when the sink hashes (DigestingSink). */
  readonly #hash: Hash | undefined;
  #buf = Buffer.allocUnsafe(STAGE);
  #len = 0;
  size = 0;

  constructor(sink: Sink, hashed: boolean) {
    this.#sink = sink;
    this.#hash = hashed ? createHash("sha256") : undefined;
  }

  async flush(): Promise<void> {
    if (this.#len === 0) return;
    const chunk = this.#buf.subarray(0, this.#len);
    this.#hash?.update(chunk);
    this.size += chunk.length;
    this.#len = 0;
    await this.#sink.write(chunk);
    if (!this.#sink.reusesBuffer) this.#buf = Buffer.allocUnsafe(STAGE);
  }

  async put(b: Buffer): Promise<void> {
    if (b.length > STAGE - this.#len) await this.flush();
    if (b.length >= STAGE) {
      this.#hash?.update(b);
      this.size += b.length;
      await this.#sink.write(b);
      return;
    }
    b.copy(this.#buf, this.#len);
    this.#len += b.length;
  }

  async zeros(n: number): Promise<void> {
    if (n > STAGE - this.#len) await this.flush();
    this.#buf.fill(0, this.#len, this.#len + n);
    this.#len += n;
  }

  /** Copy exactly `size` bytes of an open file from offset `start` into the stream, then the block padding. */
  async file(fh: FileHandle, size: number, entry: string, start = 0): Promise<void> {
    let remaining = size;
    let pos = start;
    while (remaining > 0) {
      if (this.#len === STAGE) await this.flush();
      const want = Math.min(STAGE - this.#len, remaining);
      const { bytesRead } = await fh.read(this.#buf, this.#len, want, pos);
      if (bytesRead === 0) throw new LayerError("LAYER_VERIFY_FAILED", entry, "file shrank while being written to the layer");
      this.#len += bytesRead;
      pos += bytesRead;
      remaining -= bytesRead;
    }
    await this.zeros(padding(size));
  }

  /**
   * A file of at most STAGE bytes read straight into the staging buffer on this thread
   * (fs/small-files.ts: no buffer of its own, no thread-pool round trips), then its padding.
   */
  async smallFile(path: string, size: number, entry: string): Promise<void> {
    if (size > STAGE - this.#len) await this.flush();
    if (readInto(path, this.#buf, this.#len, size) < size) throw new LayerError("LAYER_VERIFY_FAILED", entry, "file shrank while being written to the layer");
    this.#len += size;
    await this.zeros(padding(size));
  }

  digest(): string {
    if (this.#hash === undefined) throw new Error("internal: the sink hashes this tar");
    return `sha256:${this.#hash.digest("hex")}`;
  }
}
