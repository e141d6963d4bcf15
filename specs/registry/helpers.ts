import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, tempDir } from "../helpers/strata.ts";

export { freePort } from "../helpers/strata.ts";

export interface TestRegistry {
  readonly port: number;
  /** 127.0.0.1:PORT */
  readonly host: string;
  readonly dir: string;
  stop(): Promise<void>;
}

/** bcrypt, as distribution's htpasswd wants it, from the system's crypt(3) (libxcrypt) through perl. */
function bcrypt(password: string): string {
  const salt = "abcdefghijklmnopqrstuu";
  const r = spawnSync("perl", ["-e", `print crypt($ARGV[0], '$2b$05$${salt}')`, password], { encoding: "utf8" });
  if (!r.stdout.startsWith("$2b$")) throw new Error(`bcrypt via perl failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * Debian's docker-registry (CNCF distribution 2.8) on 127.0.0.1 and a free
 * port, with its own storage dir; `htpasswd` turns on basic auth.
 */
export async function startRegistry(o: { htpasswd?: { user: string; password: string } } = {}): Promise<TestRegistry> {
  const dir = tempDir("registry");
  const port = await freePort();
  mkdirSync(join(dir, "data"));
  let auth = "";
  if (o.htpasswd) {
    writeFileSync(join(dir, "htpasswd"), `${o.htpasswd.user}:${bcrypt(o.htpasswd.password)}\n`);
    auth = `auth:\n  htpasswd:\n    realm: strata-test\n    path: ${join(dir, "htpasswd")}\n`;
  }
  writeFileSync(
    join(dir, "config.yml"),
    `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, "data")}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  // Its log goes to a file, not a pipe: a spec blocked in spawnSync reads no pipe, and a full one stops the registry.
  const logFile = join(dir, "registry.log");
  const logFd = openSync(logFile, "w");
  const child: ChildProcess = spawn("/usr/bin/docker-registry", ["serve", join(dir, "config.yml")], { stdio: ["ignore", "ignore", logFd] });
  closeSync(logFd);
  const log = () => readFileSync(logFile, "utf8").slice(-4000);
  for (let i = 0; ; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (r) => r.status === 200 || r.status === 401,
      () => false,
    );
    if (up) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`docker-registry did not start: ${log()}`);
    await sleep(50);
  }
  return {
    port,
    host: `127.0.0.1:${port}`,
    dir,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once("exit", r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Hook = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/**
 * A tiny HTTP proxy on 127.0.0.1 in front of a registry. `hook` sees each
 * request first and may answer it (return true); `transform` may rewrite a
 * response body (for blobs whose bytes must not match their digest).
 */
export async function startProxy(upstream: number, hook: Hook, transform?: (req: IncomingMessage, body: Buffer) => Buffer | undefined): Promise<{ port: number; host: string; server: Server; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    if (await hook(req, res)) return;
    const up = request({ host: "127.0.0.1", port: upstream, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      if (transform && req.method === "GET") {
        const chunks: Buffer[] = [];
        ur.on("data", (c: Buffer) => chunks.push(c));
        ur.on("end", () => {
          const body = Buffer.concat(chunks);
          const out = transform(req, body) ?? body;
          res.writeHead(ur.statusCode ?? 502, { ...ur.headers, "content-length": String(out.length) });
          res.end(out);
        });
        return;
      }
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { port, host: `127.0.0.1:${port}`, server, close: () => new Promise((r) => server.close(() => r())) };
}

/** Digests of an image in a store: image id (config) and local manifest. */
export function indexDigests(json: string): Record<string, string> {
  const index = JSON.parse(json) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  return Object.fromEntries(index.manifests.map((m) => [m.annotations?.["org.opencontainers.image.ref.name"] ?? m.digest, m.digest]));
}

/** The local manifest digest and image id (config digest) a name has in a store root. */
export function imageDigests(root: string, name: string): { manifest: string; id: string } | undefined {
  const index = JSON.parse(readFileSync(join(root, "index.json"), "utf8")) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const m = index.manifests.find((d) => d.annotations?.["org.opencontainers.image.ref.name"] === name);
  if (!m) return undefined;
  const manifest = JSON.parse(readFileSync(join(root, "blobs/sha256", m.digest.slice(7)), "utf8")) as { config: { digest: string } };
  return { manifest: m.digest, id: manifest.config.digest };
}

export { strataAsync } from "../helpers/strata.ts";
