/**
 * The HTTP transport of the registry client: one request, its answer's status, headers and body
 * (a Readable with undici-style dump/text/json), over node:http/node:https with keep-alive
 * agents. Written on Node's own http rather than the npm undici (which the client used before):
 * loading undici cost a push or pull ~80-100 ms of start-up, node:http ~4 ms, and the client
 * needs only this much of it (redirects, auth and retries are client.ts's). One timeout covers
 * connect, waiting for headers and a stalled body: the socket idle for `timeout` ms fails the
 * request (or its body, mid-read) with code ETIMEDOUT.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { Readable } from "node:stream";

export type HttpMethod = string;

/** A response body: the message itself, plus reading it whole or throwing it away. */
export interface Body extends Readable {
  /** Reads and drops what is left (a body over 128 KiB is cut off, closing its connection). */
  dump(): Promise<void>;
  text(): Promise<string>;
  json(): Promise<unknown>;
  /** A streamed GET's chunks, each valid only until the next is asked for (http-stream.ts); absent on node:http's bodies. */
  views?(): AsyncIterable<Uint8Array>;
}

export interface ResponseData {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Body;
}

export interface AgentOptions {
  /** Idle time in ms (connecting, waiting for headers, between body chunks) before a request fails. */
  readonly timeout: number;
  /** Connections per origin. */
  readonly connections: number;
}

/** Keep-alive connections to one registry (and where it redirects), for both schemes. */
export class Agent {
  readonly timeout: number;
  readonly #connections: number;
  #http: http.Agent | undefined;
  #https: https.Agent | undefined;

  constructor(o: AgentOptions) {
    this.timeout = o.timeout;
    this.#connections = o.connections;
  }

  get http(): http.Agent {
    this.#http ??= new http.Agent({ keepAlive: true, maxSockets: this.#connections });
    return this.#http;
  }

  /** Made on first use: node:https loads tls and crypto's ciphers (~8 ms), which a plain-http registry never needs. */
  get https(): https.Agent {
    this.#https ??= new https.Agent({ keepAlive: true, maxSockets: this.#connections });
    return this.#https;
  }

  async close(): Promise<void> {
    this.#http?.destroy();
    this.#https?.destroy();
  }
}

const DUMP_LIMIT = 128 * 1024;

/**
 * The transport's own error codes (Node's, not Strata's: the client and fetch-blob.ts retry on
 * them, and what is not retried reaches the user as REGISTRY_UNREACHABLE or IO_ERROR).
 */
export const TIMED_OUT = "ETIMEDOUT";
export const BODY_FAILED = "HTTP_BODY_ERROR";

function timedOut(ms: number): Error {
  return Object.assign(new Error(`no data for ${ms} ms (timed out)`), { code: TIMED_OUT });
}

/** A failure of the body mid-read, with a code of its own: not an errno code, which the store would take for a disk error. */
function bodyError(e: unknown): Error {
  const cause = e as Error & { code?: string };
  return Object.assign(new Error(cause.message, { cause }), { code: BODY_FAILED, reason: cause.code });
}

function asBody(res: IncomingMessage): Body {
  const body = res as IncomingMessage & Body;
  const iterate = res[Symbol.asyncIterator].bind(res);
  body[Symbol.asyncIterator] = async function* (): AsyncGenerator<Buffer, undefined> {
    try {
      yield* iterate();
    } catch (e) {
      throw bodyError(e);
    }
    return undefined;
  };
  const text = async () => {
    const parts: Buffer[] = [];
    for await (const c of body as AsyncIterable<Buffer>) parts.push(c);
    return Buffer.concat(parts).toString("utf8");
  };
  body.text = text;
  body.json = async () => JSON.parse(await text()) as unknown;
  // Read to its end even when it is all in: only at 'end' does the connection go back to the agent.
  body.dump = async () => {
    if (res.readableEnded || res.destroyed) return;
    if (Number(res.headers["content-length"] ?? 0) > DUMP_LIMIT) {
      res.once("error", () => undefined);
      res.destroy();
      return;
    }
    await new Promise<void>((done) => {
      res.once("end", done);
      res.once("close", done);
      res.once("error", () => done());
      res.resume();
    });
  };
  return body;
}

/** Sends one request; resolves with the answer once its headers are in. */
export function request(
  url: URL,
  o: { method: HttpMethod; headers: Record<string, string>; body?: Readable | Buffer | string | undefined; flushed?: ((chunk: Buffer) => void) | undefined; dispatcher: Agent },
): Promise<ResponseData> {
  const { dispatcher: d } = o;
  const tls = url.protocol === "https:";
  const headers = { ...o.headers };
  if ((typeof o.body === "string" || Buffer.isBuffer(o.body)) && !Object.keys(headers).some((h) => h.toLowerCase() === "content-length")) {
    headers["content-length"] = String(Buffer.byteLength(o.body));
  }
  return new Promise((resolve, reject) => {
    const req = (tls ? https : http).request(url, { method: o.method, headers, agent: tls ? d.https : d.http, timeout: d.timeout });
    let res: IncomingMessage | undefined;
    req.on("timeout", () => {
      const e = timedOut(d.timeout);
      if (res && !res.complete) res.destroy(e);
      req.destroy(e);
    });
    req.on("error", (e) => {
      if (res === undefined) reject(e);
      else if (!res.complete && !res.destroyed) res.destroy(e);
    });
    req.on("response", (r) => {
      res = r;
      resolve({ statusCode: r.statusCode ?? 0, headers: r.headers, body: asBody(r) });
    });
    const body = o.body;
    if (body instanceof Readable) {
      body.once("error", (e) => req.destroy(e));
      writeBody(body, req, o.flushed);
    } else req.end(body);
  });
}

/**
 * `body` written to `req` as pipe() would, with `flushed` told each chunk once the socket has
 * taken it: write's callback, which node:http calls after the chunk's write to the socket (and
 * the chunked encoding's end of chunk) completes, or fails. A request that closes stops the reading.
 */
function writeBody(body: Readable, req: http.ClientRequest, flushed: ((chunk: Buffer) => void) | undefined): void {
  const onData = (c: Buffer) => {
    if (!req.write(c, flushed && (() => flushed(c)))) body.pause();
  };
  body.on("data", onData);
  req.on("drain", () => body.resume());
  req.once("close", () => {
    body.off("data", onData);
    body.pause();
  });
  body.once("end", () => {
    if (!req.destroyed) req.end();
  });
}
