/**
 * Issue 23 (pull ≤ 1.0× skopeo): runtime/registry/http-stream.ts, the GET that reads a blob's
 * body through one reused buffer, against real servers on 127.0.0.1: node:http's (Content-Length
 * and chunked), hand-written answers from a net server (framing split at every awkward place,
 * a body cut short, a stall, a close-delimited body) and node:https's with a certificate made
 * here by openssl. What a chunk view holds is checked by hashing each one only after an await,
 * before the next is asked for (the contract of `views()`).
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import { createServer as createNet, type Server as NetServer, type Socket } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { streamedGet } from "../../runtime/registry/http-stream.ts";
import type { ResponseData } from "../../runtime/registry/http.ts";
import { tempDir } from "../helpers/strata.ts";

const blob = randomBytes(5 << 20);
const blobHash = createHash("sha256").update(blob).digest("hex");
const servers: (Server | NetServer)[] = [];
const dir = tempDir("http-stream");
afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function listen<S extends Server | NetServer>(s: S): Promise<number> {
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  return (s.address() as { port: number }).port;
}

/** A net server that answers every connection with `answer` (given the socket). */
function raw(answer: (s: Socket) => unknown): Promise<number> {
  return listen(createNet((s) => s.once("data", () => void answer(s))));
}

/** The body's views, each hashed only after an await (a view must hold until the next is asked for); with the chunk count. */
async function drain(r: ResponseData): Promise<{ hex: string; size: number; chunks: number }> {
  const h = createHash("sha256");
  let size = 0;
  let chunks = 0;
  const views = r.body.views?.();
  if (views === undefined) throw new Error("no views");
  for await (const v of views) {
    await sleep(0);
    h.update(v);
    size += v.length;
    chunks++;
  }
  return { hex: h.digest("hex"), size, chunks };
}

const get = (port: number, path = "/", o: { timeout?: number; headers?: Record<string, string> } = {}) =>
  streamedGet(new URL(`http://127.0.0.1:${port}${path}`), { headers: o.headers ?? {}, timeout: o.timeout ?? 10_000 });

describe("a streamed GET reads a body through one reused buffer", () => {
  it("a Content-Length body of node:http's, whole and in order, with the request's headers sent", async () => {
    let seen: IncomingMessage | undefined;
    const port = await listen(
      createHttp((req: IncomingMessage, res: ServerResponse) => {
        seen = req;
        res.writeHead(200, { "content-length": blob.length, "x-two": ["a", "b"] });
        res.end(blob);
      }),
    );
    const r = await get(port, "/v2/x/blobs/sha256:1?q=1", { headers: { authorization: "Bearer t", "user-agent": "strata" } });
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-length"]).toBe(String(blob.length));
    expect(r.headers["x-two"]).toBe("a, b");
    expect(await drain(r)).toMatchObject({ hex: blobHash, size: blob.length });
    expect(seen?.url).toBe("/v2/x/blobs/sha256:1?q=1");
    expect(seen?.headers.authorization).toBe("Bearer t");
    expect(seen?.headers.host).toBe(`127.0.0.1:${port}`);
    expect(seen?.headers.connection).toBe("close");
  });

  it("a chunked body of node:http's, written in pieces of every size", async () => {
    const port = await listen(
      createHttp(async (_req, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        for (let at = 0, n = 1; at < blob.length; at += n, n = (n * 7 + 13) % 300_000) {
          if (!res.write(blob.subarray(at, at + n))) await new Promise((r) => res.once("drain", r));
        }
        res.end();
      }),
    );
    const r = await get(port);
    expect(r.headers["transfer-encoding"]).toBe("chunked");
    expect(await drain(r)).toMatchObject({ hex: blobHash, size: blob.length });
  });

  it("chunked framing split byte by byte (sizes, extensions, CRLFs, a trailer), and two answers' heads with a 100 first", async () => {
    const body = Buffer.from("hello, chunked world");
    const framed = Buffer.concat([Buffer.from("5;ext=1\r\n"), body.subarray(0, 5), Buffer.from("\r\n"), Buffer.from("F\r\n"), body.subarray(5), Buffer.from("\r\n0\r\nx-trailer: y\r\n\r\n")]);
    const answer = Buffer.concat([Buffer.from("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), framed]);
    const port = await raw(async (s) => {
      for (const b of answer) {
        s.write(Buffer.from([b]));
        await sleep(1);
      }
      s.end();
    });
    const r = await get(port);
    expect(r.statusCode).toBe(200);
    expect(await r.body.text()).toBe("hello, chunked world");
  });

  it("a body without a length ends with its connection; read as a Readable, its chunks are copies", async () => {
    const port = await raw((s) => {
      s.write("HTTP/1.1 200 OK\r\n\r\n");
      s.end(blob);
    });
    const r = await get(port);
    const kept: Buffer[] = [];
    for await (const c of r.body) kept.push(c as Buffer);
    expect(createHash("sha256").update(Buffer.concat(kept)).digest("hex")).toBe(blobHash);
  });

  it("a body cut short, a stall past the timeout, and bad framing fail the body with HTTP_BODY_ERROR", async () => {
    const short = await raw((s) => {
      s.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
      s.end(Buffer.alloc(500));
    });
    await expect(drain(await get(short))).rejects.toMatchObject({ code: "HTTP_BODY_ERROR", reason: "ECONNRESET" });
    const stall = await raw((s) => {
      s.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
      s.write(Buffer.alloc(10));
    });
    const t = Date.now();
    await expect(drain(await get(stall, "/", { timeout: 300 }))).rejects.toMatchObject({ code: "HTTP_BODY_ERROR", reason: "ETIMEDOUT" });
    expect(Date.now() - t).toBeLessThan(5000);
    const bad = await raw((s) => s.end("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
    await expect((await get(bad)).body.text()).rejects.toMatchObject({ code: "HTTP_BODY_ERROR", reason: "HPE_INVALID_CHUNK_SIZE" });
  });

  it("no answer, a non-HTTP answer, an endless head and a header with a line break fail the request", async () => {
    const closed = await raw((s) => s.destroy());
    await expect(get(closed)).rejects.toMatchObject({ code: "ECONNRESET" });
    const junk = await raw((s) => s.end("SSH-2.0-OpenSSH\r\n\r\n"));
    await expect(get(junk)).rejects.toMatchObject({ code: "HPE_INVALID_CONSTANT" });
    const endless = await raw((s) => {
      s.write("HTTP/1.1 200 OK\r\n");
      s.write(`x: ${"a".repeat(100_000)}`);
    });
    await expect(get(endless)).rejects.toMatchObject({ code: "HPE_HEADER_OVERFLOW" });
    expect(() => get(closed, "/", { headers: { authorization: "Bearer x\r\nx-evil: 1" } })).toThrow("line break");
  });

  it("https, with a certificate made here: the same bytes", async () => {
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    const made = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"], { encoding: "utf8" });
    expect(made.status, made.stderr).toBe(0);
    const port = await listen(
      createHttps({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
        res.writeHead(200, { "content-length": blob.length });
        res.end(blob);
      }),
    );
    const r = await streamedGet(new URL(`https://localhost:${port}/b`), { headers: {}, timeout: 10_000, tls: { ca: readFileSync(cert) } });
    expect(await drain(r)).toMatchObject({ hex: blobHash, size: blob.length });
    // Without the certificate's CA, nothing is read.
    await expect(streamedGet(new URL(`https://localhost:${port}/b`), { headers: {}, timeout: 10_000 })).rejects.toThrow(/self.signed/);
  });

  it("two at once each read their own bytes", async () => {
    const other = randomBytes(3 << 20);
    const port = await listen(
      createHttp((req, res) => {
        const b = req.url === "/a" ? blob : other;
        res.writeHead(200, { "content-length": b.length });
        res.end(b);
      }),
    );
    const [a, b] = await Promise.all([get(port, "/a").then(drain), get(port, "/b").then(drain)]);
    expect(a.hex).toBe(blobHash);
    expect(b.hex).toBe(createHash("sha256").update(other).digest("hex"));
  });
});
