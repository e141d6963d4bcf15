/**
 * One GET whose body is read through a buffer that is reused: a net or tls socket made with
 * `onread` (it reads into a 1 MiB buffer of ours, as much as has arrived) and a small HTTP/1.1
 * response reader: the status line and headers, then a body framed by Content-Length, chunked,
 * or the end of the connection. Each request has its connection (`Connection: close`).
 *
 * Why not node:http (http.ts), which everything else uses: each read of its sockets is a new
 * 64 KiB buffer. A strata process is short-lived, so a 53 MB layer is ~13,000 page faults of
 * fresh memory and ~850 reads: a cold process took 350–450 ms for that GET, where this reader
 * takes 50–110 ms (hashing included; 2026-12-04, Debian's docker-registry on 127.0.0.1, the
 * Debian layer of bench/registry.ts). undici reads its sockets the same way as node:http.
 *
 * The price is the contract of `views()`: each chunk is valid only until the next one is
 * asked for (the socket does not read again until then). Blob downloads that hash and copy
 * each chunk into the store's write batch (fetch-blob.ts) read it that way; read as a Readable
 * (pipe, 'data', `for await` on the body, `text()`), each chunk is a copy.
 */
import { isIP, connect as netConnect, type Socket } from "node:net";
import type { ConnectionOptions } from "node:tls";
import type { IncomingHttpHeaders } from "node:http";
import { Readable } from "node:stream";
import { BODY_FAILED, type Body, type ResponseData, TIMED_OUT } from "./http.ts";

const READ_BUFFER = 1 << 20;
/** The most bytes of a status line and headers (node:http's default limit, 16 KiB, and some room). */
const HEAD_LIMIT = 64 << 10;
/** The longest line of chunk framing (a size, its extensions, a trailer). */
const LINE_LIMIT = 4096;

/** Read buffers of finished requests, for the next ones. */
const spare: Buffer[] = [];

export interface StreamedGetOptions {
  readonly headers: Record<string, string>;
  /** Idle ms (connecting, waiting for headers, between reads) before the request or its body fails with ETIMEDOUT. */
  readonly timeout: number;
  /** For https: options of tls.connect (a CA of its own). */
  readonly tls?: ConnectionOptions;
}

type Framing = { kind: "length"; left: number } | { kind: "chunked" } | { kind: "close" } | { kind: "none" };

function codeError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** A failure of the body mid-read, coded as http.ts's bodies are (fetch-blob.ts retries it). */
function bodyError(cause: Error & { code?: string }): Error {
  if (cause.code === BODY_FAILED) return cause;
  return Object.assign(new Error(cause.message, { cause }), { code: BODY_FAILED, reason: cause.code });
}

/** The request's head; a header with a line break in it is refused (it would be another header), coded as node:http codes it. */
function requestHead(url: URL, headers: Record<string, string>): string {
  const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
  for (const [k, v] of Object.entries(headers)) {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw codeError(`header ${JSON.stringify(k)} has a line break in it; refused`, "ERR_INVALID_CHAR");
    if (!["host", "connection"].includes(k.toLowerCase())) lines.push(`${k}: ${v}`);
  }
  lines.push("connection: close", "", "");
  return lines.join("\r\n");
}

/** The status and headers of a response head (without its blank line); undefined when it is not HTTP/1.x. */
function parseHead(text: string): { status: number; headers: IncomingHttpHeaders } | undefined {
  const [statusLine = "", ...lines] = text.split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
  if (!m) return undefined;
  const headers: IncomingHttpHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const had = headers[name];
    if (name === "set-cookie") headers[name] = [...((had as string[] | undefined) ?? []), value];
    else headers[name] = had === undefined ? value : `${had as string}, ${value}`;
  }
  return { status: Number(m[1]), headers };
}

function framing(status: number, headers: IncomingHttpHeaders): Framing | Error {
  if (status === 204 || status === 304) return { kind: "none" };
  const te = String(headers["transfer-encoding"] ?? "").toLowerCase();
  if (te !== "") return te.split(",").at(-1)?.trim() === "chunked" ? { kind: "chunked" } : codeError(`transfer-encoding ${te} is not read`, "HPE_INVALID_TRANSFER_ENCODING");
  const cl = headers["content-length"];
  if (cl === undefined) return { kind: "close" };
  if (!/^\d{1,15}$/.test(String(cl))) return codeError(`bad content-length ${String(cl)}`, "HPE_INVALID_CONTENT_LENGTH");
  return Number(cl) === 0 ? { kind: "none" } : { kind: "length", left: Number(cl) };
}

/** The chunked framing of a body: data segments out of what was read, as views of it. */
class Dechunker {
  #state: "size" | "data" | "crlf" | "trailer" | "done" = "size";
  #line = "";
  #left = 0;

  get done(): boolean {
    return this.#state === "done";
  }

  /** The data in `bytes` (views of it); throws on bad framing. */
  feed(bytes: Buffer, out: Uint8Array[]): void {
    let at = 0;
    while (at < bytes.length && this.#state !== "done") {
      if (this.#state === "data") {
        const n = Math.min(this.#left, bytes.length - at);
        out.push(bytes.subarray(at, at + n));
        at += n;
        this.#left -= n;
        if (this.#left === 0) this.#state = "crlf";
        continue;
      }
      const nl = bytes.indexOf(10, at);
      const end = nl < 0 ? bytes.length : nl;
      this.#line += bytes.toString("latin1", at, end);
      if (this.#line.length > LINE_LIMIT) throw codeError("a chunked body's framing line is too long", "HPE_CHUNK_EXTENSIONS_OVERFLOW");
      at = end;
      if (nl < 0) break;
      at++;
      const line = this.#line.replace(/\r$/, "");
      this.#line = "";
      if (this.#state === "crlf") {
        if (line !== "") throw codeError("a chunk does not end with CRLF", "HPE_INVALID_CHUNK_SIZE");
        this.#state = "size";
      } else if (this.#state === "size") {
        const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line)?.[1];
        if (size === undefined) throw codeError(`bad chunk size ${JSON.stringify(line.slice(0, 40))}`, "HPE_INVALID_CHUNK_SIZE");
        this.#left = Number.parseInt(size, 16);
        this.#state = this.#left === 0 ? "trailer" : "data";
      } else if (line === "") this.#state = "done";
    }
  }
}

/** The body of a streamed GET: `views()` (each chunk valid until the next is asked for), or a Readable of copies. */
class StreamedBody extends Readable implements Body {
  readonly #socket: Socket;
  readonly #buffer: Buffer;
  #framing: Framing;
  readonly #dechunker = new Dechunker();
  #queue: Uint8Array[] = [];
  #ended = false;
  #failed: Error | undefined;
  #wake: (() => void) | undefined;
  #released = false;

  /**
   * With TLS, what each read brought is copied here first: a paused tls socket still hands over
   * the rest of what it has decrypted, into the read buffer, while views of it wait to be read.
   * Reset when every view is taken; what does not fit while views wait is a copy of its own.
   */
  readonly #slab: Buffer | undefined;
  #slabAt = 0;

  constructor(socket: Socket, buffer: Buffer, framing: Framing, copy: boolean) {
    super();
    this.#socket = socket;
    this.#buffer = buffer;
    this.#framing = framing;
    this.#slab = copy ? (spare.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER)) : undefined;
    if (framing.kind === "none") this.#end();
  }

  /** What a read brought, past the head (a view of the read buffer); false: stop reading until it is taken. */
  onBytes(read: Buffer): boolean {
    if (this.#ended || read.length === 0) return true;
    const bytes = this.#slab === undefined ? read : this.#own(read);
    try {
      const f = this.#framing;
      if (f.kind === "length") {
        const n = Math.min(f.left, bytes.length);
        if (n > 0) this.#queue.push(bytes.subarray(0, n));
        f.left -= n;
        if (f.left === 0) this.#end();
      } else if (f.kind === "chunked") {
        this.#dechunker.feed(bytes, this.#queue);
        if (this.#dechunker.done) this.#end();
      } else if (f.kind === "close") this.#queue.push(bytes);
    } catch (e) {
      this.onError(e as Error);
    }
    this.#poke();
    return this.#queue.length === 0;
  }

  /** `read` copied into the slab, after the views still waiting (or on its own when it does not fit). */
  #own(read: Buffer): Buffer {
    const slab = this.#slab as Buffer;
    if (this.#slabAt + read.length > slab.length) return Buffer.from(read);
    read.copy(slab, this.#slabAt);
    this.#slabAt += read.length;
    return slab.subarray(this.#slabAt - read.length, this.#slabAt);
  }

  /** The connection ended: the end of a close-delimited body, else a body cut short. */
  onClose(): void {
    if (this.#ended || this.#failed) return;
    if (this.#framing.kind === "close") this.#end();
    else this.onError(codeError("the connection closed before the body's end (aborted)", "ECONNRESET"));
  }

  onError(e: Error): void {
    if (this.#ended || this.#failed) return;
    this.#failed = bodyError(e);
    this.#socket.destroy();
    this.#poke();
  }

  #end(): void {
    this.#ended = true;
    this.#socket.destroy();
    this.#poke();
  }

  #poke(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  /** The next chunk (a view of the read buffer), undefined at the end. */
  async #next(): Promise<Uint8Array | undefined> {
    for (;;) {
      const c = this.#queue.shift();
      if (c !== undefined) return c;
      // The last view given out is let go with this call: the slab is free again.
      this.#slabAt = 0;
      if (this.#failed) throw this.#failed;
      if (this.#ended) {
        this.#release();
        return undefined;
      }
      const woken = new Promise<void>((resolve) => (this.#wake = resolve));
      this.#socket.resume();
      await woken;
    }
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#queue = [];
    // The buffers go back only once the socket can no longer read into them.
    const back = (): void => {
      spare.push(this.#buffer);
      if (this.#slab !== undefined) spare.push(this.#slab);
    };
    if (this.#socket.destroyed) back();
    else this.#socket.once("close", back);
    this.#socket.destroy();
  }

  /** The body's chunks, each a view of the read buffer valid until the next is asked for. */
  async *views(): AsyncGenerator<Uint8Array, undefined> {
    try {
      for (let c = await this.#next(); c !== undefined; c = await this.#next()) yield c;
    } finally {
      this.#release();
    }
    return undefined;
  }

  override _read(): void {
    this.#next().then(
      (c) => this.push(c === undefined ? null : Buffer.from(c)),
      (e: Error) => this.destroy(e),
    );
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.#release();
    cb(err);
  }

  async dump(): Promise<void> {
    this.#release();
  }

  async text(): Promise<string> {
    const parts: Buffer[] = [];
    for await (const c of this.views()) parts.push(Buffer.from(c));
    return Buffer.concat(parts).toString("utf8");
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }
}

/** Sends a GET; resolves once the answer's headers are in, its body a StreamedBody. */
export function streamedGet(url: URL, o: StreamedGetOptions): Promise<ResponseData> {
  const head = requestHead(url, o.headers);
  const tls = url.protocol === "https:";
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(url.port || (tls ? 443 : 80));
  const buffer = spare.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER);
  return new Promise((resolve, reject) => {
    let body: StreamedBody | undefined;
    let headBytes = Buffer.alloc(0);
    const onread = {
      buffer,
      callback: (n: number, buf: Uint8Array): boolean => {
        const bytes = Buffer.from(buf.buffer, buf.byteOffset, n);
        if (body) return body.onBytes(bytes);
        headBytes = Buffer.concat([headBytes, bytes]);
        for (;;) {
          const end = headBytes.indexOf("\r\n\r\n");
          if (end < 0) {
            if (headBytes.length > HEAD_LIMIT) socket.destroy(codeError(`the response's headers are over ${HEAD_LIMIT} bytes`, "HPE_HEADER_OVERFLOW"));
            return true;
          }
          const parsed = parseHead(headBytes.toString("latin1", 0, end));
          if (parsed === undefined) {
            socket.destroy(codeError("the answer is not an HTTP/1.1 response", "HPE_INVALID_CONSTANT"));
            return true;
          }
          // The body's first bytes are in this read: a view of the read buffer, as the rest will be.
          const restAt = n - (headBytes.length - (end + 4));
          headBytes = headBytes.subarray(end + 4);
          if (parsed.status >= 100 && parsed.status < 200) continue;
          const f = framing(parsed.status, parsed.headers);
          if (f instanceof Error) {
            socket.destroy(f);
            return true;
          }
          body = new StreamedBody(socket, buffer, f, tls);
          resolve({ statusCode: parsed.status, headers: parsed.headers, body });
          return body.onBytes(Buffer.from(buf.buffer, buf.byteOffset + Math.max(0, restAt), n - Math.max(0, restAt)));
        }
      },
    };
    // tls.connect takes `onread` as net.connect does (Node's docs; @types/node leaves it out).
    const tlsOptions = { ...o.tls, host, port, ...(isIP(host) === 0 && { servername: host }), ALPNProtocols: ["http/1.1"], onread } as ConnectionOptions;
    // node:tls is loaded when a request needs it (its loading is a few ms of a plain-HTTP pull's start).
    const socket: Socket = tls ? (process.getBuiltinModule("node:tls") as typeof import("node:tls")).connect(tlsOptions) : netConnect({ host, port, onread });
    socket.setTimeout(o.timeout, () => socket.destroy(codeError(`no data for ${o.timeout} ms (timed out)`, TIMED_OUT)));
    socket.once(tls ? "secureConnect" : "connect", () => socket.write(head));
    socket.on("error", (e) => {
      if (body) body.onError(e);
      else reject(e);
    });
    socket.once("close", () => {
      if (body) body.onClose();
      else {
        reject(codeError("the connection closed before the response's headers (socket hang up)", "ECONNRESET"));
        spare.push(buffer);
      }
    });
  });
}
