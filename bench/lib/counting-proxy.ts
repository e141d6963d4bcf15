/**
 * A counting HTTP proxy on 127.0.0.1 in front of a registry, one per builder (the builder is known
 * by the port it reached): every request is passed on unchanged and logged with its method, path,
 * status and the bytes each way (bodies as sent, so compressed blobs count as compressed), under
 * the phase the bench is in. Manifest bodies are kept (they are small) so that the bench can tell
 * which blobs are layers and which are configs. Written here because what it must log is the
 * registry protocol's own (blob and manifest paths), which a generic proxy library does not give.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Exchange {
  readonly builder: string;
  readonly phase: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Request body bytes (uploads). */
  readonly sent: number;
  /** Response body bytes (downloads). */
  readonly received: number;
  /** The body of a manifest GET. */
  readonly manifest?: string;
}

export interface CountingProxy {
  readonly port: number;
  close(): Promise<void>;
}

/** The shared log and the phase new exchanges are filed under. */
export class TrafficLog {
  phase = "setup";
  readonly exchanges: Exchange[] = [];
}

export async function startCountingProxy(upstream: number, builder: string, log: TrafficLog): Promise<CountingProxy> {
  const server: Server = createServer((req, res) => {
    let sent = 0;
    req.on("data", (c: Buffer) => {
      sent += c.length;
    });
    const phase = log.phase;
    const up = request({ host: "127.0.0.1", port: upstream, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      let received = 0;
      const isManifest = req.method === "GET" && /\/manifests\//.test(req.url ?? "");
      const kept: Buffer[] = [];
      ur.on("data", (c: Buffer) => {
        received += c.length;
        if (isManifest && received < 4 << 20) kept.push(c);
      });
      ur.on("end", () => {
        log.exchanges.push({ builder, phase, method: req.method ?? "", path: req.url ?? "", status: ur.statusCode ?? 0, sent, received, ...(isManifest && { manifest: Buffer.concat(kept).toString("utf8") }) });
      });
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
