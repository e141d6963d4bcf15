/**
 * Output buffers for the gzip pieces (compression.ts), lent out and handed back: a piece is
 * compressed into a buffer of this pool, and the buffer goes back into the pool once every
 * consumer of the piece's chunks has released each of them (the store once it has copied a
 * chunk, the upload once the socket has taken it). Fresh memory costs a page fault for each
 * 4 KiB the compressor writes into it (~15 µs each on these VMs: ~13,000 of them, ~0.2 s of
 * CPU, for the 53 MB of gzip of a 128 MB layer); a buffer used again costs none.
 *
 * Only the chunk objects lent out count: a chunk that is never released (a consumer that
 * copies, splits or drops it, a request cut off) keeps its buffer out of the pool for good, to
 * be garbage-collected as any buffer. A buffer is never reused while a view of it is still lent.
 */
export class OutputBuffers {
  readonly #size: number;
  readonly #consumers: number;
  readonly #idle: Buffer[] = [];
  /** Chunks lent out: how many consumers have yet to release each, and the buffer it is a view of. */
  readonly #lent = new Map<Uint8Array, { holders: number; of: Buffer }>();
  /** Per buffer: how many of its chunks are still lent out. */
  readonly #views = new Map<Buffer, number>();

  /** Buffers of `size` bytes; each chunk lent is released once by each of `consumers`. */
  constructor(size: number, consumers: number) {
    this.#size = size;
    this.#consumers = consumers;
  }

  /** An idle buffer, else a new one (its pages are touched only as output is written). */
  take(): Buffer {
    return this.#idle.pop() ?? Buffer.allocUnsafeSlow(this.#size);
  }

  /**
   * Lends out the chunks of `out` that are views of `buf` (a piece's output: other chunks, in
   * memory zlib allocated itself, are not pooled). If none is, the output did not land in
   * `buf`, which goes back idle.
   */
  lend(buf: Buffer, out: readonly Buffer[]): void {
    const mine = out.filter((c) => c.buffer === buf.buffer);
    for (const c of mine) this.#lent.set(c, { holders: this.#consumers, of: buf });
    if (mine.length === 0) this.#idle.push(buf);
    else this.#views.set(buf, mine.length);
  }

  /** One consumer is done with `chunk`; its buffer goes back idle when nothing of it is lent any more. */
  release(chunk: Uint8Array): void {
    const l = this.#lent.get(chunk);
    if (!l || --l.holders > 0) return;
    this.#lent.delete(chunk);
    const left = (this.#views.get(l.of) ?? 1) - 1;
    if (left > 0) this.#views.set(l.of, left);
    else {
      this.#views.delete(l.of);
      this.#idle.push(l.of);
    }
  }
}
