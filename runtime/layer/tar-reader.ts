/**
 * A streaming, binary-safe tar reader that hashes every byte it consumes.
 *
 * Pull-based: `next()` returns the next entry (PAX local/global headers and GNU long
 * name/link records folded in), then the caller either iterates `body()` or ignores it (the
 * next `next()` skips what is left). After the end-of-archive marker `finish()` consumes the
 * rest of the stream so the digest covers the whole tar exactly as received.
 */
import { createHash, type Hash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";
import { LayerError } from "./errors.ts";
import { BLOCK, decodeHeader, decodePax, type EntryType, isZeroBlock, padding, type TarEntry } from "./tar-format.ts";

/** PAX and GNU long-name records larger than this are refused (they are held in memory). */
const MAX_EXTENSION = 16 << 20;

/** Type flags ('0'..'7', and NUL for old files) → entry types. */
const TYPES = new Map<number, EntryType>([
  [0, "file"],
  [0x30, "file"],
  [0x37, "file"], // contiguous file
  [0x31, "link"],
  [0x32, "symlink"],
  [0x33, "char"],
  [0x34, "block"],
  [0x35, "dir"],
  [0x36, "fifo"],
]);

/** Where a reader's bytes come from: a stream, or a file it may seek in (bodies are then skipped unread). */
type Source = { readonly kind: "stream"; readonly it: AsyncIterator<unknown> } | { readonly kind: "file"; readonly fh: FileHandle; pos: number };

const FILE_CHUNK = 64 * 1024;

export class TarReader {
  readonly #src: Source;
  readonly #hash: Hash = createHash("sha256");
  #size = 0;
  #buf: Buffer = Buffer.alloc(0);
  #off = 0;
  #eof = false;
  /** Body bytes (plus padding) of the current entry not yet consumed. */
  #pendingBody = 0;
  #pendingPad = 0;
  #global = new Map<string, Buffer>();
  #ended = false;

  constructor(source: Readable | { readonly file: FileHandle }) {
    this.#src = "file" in source ? { kind: "file", fh: source.file, pos: 0 } : { kind: "stream", it: source[Symbol.asyncIterator]() };
  }

  /**
   * A reader of a tar file that seeks over the bodies it is not asked for (an index of a
   * layer reads only its headers). It hashes nothing: `finish` is for streams.
   */
  static ofFile(fh: FileHandle): TarReader {
    return new TarReader({ file: fh });
  }

  /** The offset in the file of the next byte not yet consumed: after `next()`, where the entry's body starts. */
  get position(): number {
    if (this.#src.kind !== "file") throw new Error("internal: position of a streamed tar");
    return this.#src.pos - (this.#buf.length - this.#off);
  }

  /** Stop reading and release the source stream (destroys it); a file handle stays the caller's. */
  async close(): Promise<void> {
    if (this.#src.kind === "stream") await this.#src.it.return?.();
  }

  async #chunk(): Promise<Buffer | null> {
    const src = this.#src;
    if (src.kind === "file") {
      const buf = Buffer.allocUnsafe(FILE_CHUNK);
      const { bytesRead } = await src.fh.read(buf, 0, FILE_CHUNK, src.pos);
      src.pos += bytesRead;
      return bytesRead === 0 ? null : buf.subarray(0, bytesRead);
    }
    const r = await src.it.next();
    if (r.done) return null;
    const v = r.value;
    const chunk = Buffer.isBuffer(v) ? v : typeof v === "string" ? Buffer.from(v) : Buffer.from(v as Uint8Array);
    this.#hash.update(chunk);
    return chunk;
  }

  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    const chunk = await this.#chunk();
    if (chunk === null) {
      this.#eof = true;
      return false;
    }
    this.#size += chunk.length;
    this.#buf = this.#off < this.#buf.length ? Buffer.concat([this.#buf.subarray(this.#off), chunk]) : chunk;
    this.#off = 0;
    return true;
  }

  /** Exactly n bytes, or null at a clean EOF before any byte; throws on a truncated stream. */
  async #read(n: number): Promise<Buffer | null> {
    while (this.#buf.length - this.#off < n) {
      if (!(await this.#fill())) {
        if (this.#buf.length === this.#off) return null;
        throw new LayerError("LAYER_BAD_TAR", "", "tar stream is truncated");
      }
    }
    const out = this.#buf.subarray(this.#off, this.#off + n);
    this.#off += n;
    return out;
  }

  async #skip(n: number): Promise<void> {
    const src = this.#src;
    const buffered = this.#buf.length - this.#off;
    if (src.kind === "file" && n > buffered) {
      // Seek: drop what is buffered and move past the rest unread (a later read past the end is the truncation).
      src.pos += n - buffered;
      this.#buf = Buffer.alloc(0);
      this.#off = 0;
      return;
    }
    while (n > 0) {
      if (this.#buf.length === this.#off && !(await this.#fill())) {
        throw new LayerError("LAYER_BAD_TAR", "", "tar stream is truncated");
      }
      const take = Math.min(n, this.#buf.length - this.#off);
      this.#off += take;
      n -= take;
    }
  }

  /** The body of the entry last returned by next(), as chunks (views valid until the next read). */
  async *body(): AsyncGenerator<Buffer> {
    while (this.#pendingBody > 0) {
      if (this.#buf.length === this.#off && !(await this.#fill())) {
        throw new LayerError("LAYER_BAD_TAR", "", "tar stream is truncated");
      }
      const take = Math.min(this.#pendingBody, this.#buf.length - this.#off);
      const chunk = this.#buf.subarray(this.#off, this.#off + take);
      this.#off += take;
      this.#pendingBody -= take;
      yield chunk;
    }
  }

  async #skipRest(): Promise<void> {
    await this.#skip(this.#pendingBody + this.#pendingPad);
    this.#pendingBody = 0;
    this.#pendingPad = 0;
  }

  async #readExtension(size: number, what: string): Promise<Buffer> {
    if (!(size >= 0 && size <= MAX_EXTENSION)) {
      throw new LayerError("LAYER_BAD_TAR", "", `${what} record of ${size} bytes is too large`);
    }
    const data = await this.#read(size);
    if (data === null) throw new LayerError("LAYER_BAD_TAR", "", "tar stream is truncated");
    const copy = Buffer.from(data);
    await this.#skip(padding(size));
    return copy;
  }

  /** The next entry, or null at the end of the archive. */
  async next(): Promise<TarEntry | null> {
    if (this.#ended) return null;
    await this.#skipRest();
    let pax: Map<string, Buffer> | null = null;
    let longName: string | null = null;
    let longLink: string | null = null;
    for (;;) {
      const block = await this.#read(BLOCK);
      if (block === null || isZeroBlock(block)) {
        this.#ended = true;
        return null;
      }
      const h = decodeHeader(block);
      if (h === null) throw new LayerError("LAYER_BAD_TAR", "", "invalid tar header checksum");
      if (!Number.isSafeInteger(h.size) || h.size < 0) {
        throw new LayerError("LAYER_BAD_TAR", h.name, "invalid size field");
      }
      switch (h.typeflag) {
        case 0x78: {
          // 'x': PAX local header
          const data = decodePax(await this.#readExtension(h.size, "PAX"));
          if (data === null) throw new LayerError("LAYER_BAD_TAR", h.name, "malformed PAX header");
          pax = data;
          continue;
        }
        case 0x67: {
          // 'g': PAX global header
          const data = decodePax(await this.#readExtension(h.size, "PAX"));
          if (data === null) throw new LayerError("LAYER_BAD_TAR", h.name, "malformed PAX global header");
          for (const [k, v] of data) this.#global.set(k, v);
          continue;
        }
        case 0x4c: // 'L': GNU long name
          longName = cstring(await this.#readExtension(h.size, "GNU long name"));
          continue;
        case 0x4b: // 'K': GNU long link
          longLink = cstring(await this.#readExtension(h.size, "GNU long link"));
          continue;
      }
      const ext = new Map(this.#global);
      if (pax) for (const [k, v] of pax) ext.set(k, v);
      let name = longName ?? h.name;
      let linkname = longLink ?? h.linkname;
      const p = ext.get("path");
      if (p && pax?.has("path")) name = p.toString("utf8");
      const lp = ext.get("linkpath");
      if (lp && pax?.has("linkpath")) linkname = lp.toString("utf8");
      const size = paxNumber(ext, "size") ?? h.size;
      const uid = paxNumber(ext, "uid") ?? h.uid;
      const gid = paxNumber(ext, "gid") ?? h.gid;
      const mtime = paxNumber(ext, "mtime") ?? h.mtime;
      let type = TYPES.get(h.typeflag);
      if (type === undefined) {
        throw new LayerError(
          "LAYER_UNSUPPORTED_ENTRY",
          name,
          `unsupported tar entry type '${String.fromCharCode(h.typeflag)}'`,
        );
      }
      if (type === "file" && h.typeflag !== 0x37 && name.endsWith("/")) type = "dir"; // pre-POSIX dirs
      for (const [field, v] of [
        ["size", size],
        ["uid", uid],
        ["gid", gid],
        ["mode", h.mode],
        ["mtime", mtime],
      ] as const) {
        if (!Number.isSafeInteger(v) || (field !== "mtime" && v < 0)) {
          throw new LayerError("LAYER_BAD_TAR", name, `invalid ${field} field`);
        }
      }
      const xattrs = new Map<string, Buffer>();
      for (const [k, v] of ext) if (k.startsWith("SCHILY.xattr.")) xattrs.set(k.slice(13), v);
      this.#pendingBody = size;
      this.#pendingPad = padding(size);
      return {
        name,
        type,
        mode: h.mode & 0o7777,
        uid,
        gid,
        size,
        mtime,
        linkname,
        devmajor: Number.isSafeInteger(h.devmajor) ? h.devmajor : 0,
        devminor: Number.isSafeInteger(h.devminor) ? h.devminor : 0,
        xattrs,
      };
    }
  }

  /** Consume everything after the archive's end so the digest covers the whole stream. */
  async finish(): Promise<{ diffId: string; size: number }> {
    if (this.#src.kind === "file") throw new Error("internal: finish of a tar file read by seeking");
    if (!this.#ended) {
      while ((await this.next()) !== null) {
        /* skip the remaining entries */
      }
    }
    while (await this.#fill()) {
      this.#off = this.#buf.length;
    }
    return { diffId: `sha256:${this.#hash.digest("hex")}`, size: this.#size };
  }
}

function cstring(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.toString("utf8", 0, nul < 0 ? b.length : nul);
}

function paxNumber(ext: Map<string, Buffer>, key: string): number | undefined {
  const v = ext.get(key);
  if (v === undefined) return undefined;
  const s = v.toString("latin1");
  if (!/^-?\d+(\.\d*)?$/.test(s)) throw new LayerError("LAYER_BAD_TAR", "", `invalid PAX ${key} value "${s}"`);
  return Math.floor(Number(s));
}
