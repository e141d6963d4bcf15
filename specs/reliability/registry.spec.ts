/**
 * The reliability battery (../shared/design/RELIABILITY.md), registry faults: case 34 (500/503
 * with Retry-After, 429, a reset mid-blob, a stall: bounded retries; the last error names host
 * and digest; nothing partial committed), case 35 (wrong bytes, a short body with a matching
 * Content-Length: exit 3), case 36 (push: a finalize PUT that fails, a refused cross-repository
 * mount, MANIFEST_BLOB_UNKNOWN; a re-push is idempotent), case 20 (a redirect to 127.0.0.2 and
 * a host that answers 401 get no credentials, cookies or auth headers; foreign URLs are not
 * followed; query secrets are REDACTED in logs) and case 45 (10 parallel pulls of images that
 * share layers into one store: each blob downloaded once, verify clean). A real docker-registry,
 * fault proxies in front of it (specs/registry/helpers.ts) and the oracle (oracle.ts).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, strataAsync, tempDir } from "../helpers/strata.ts";
import { imageDigests, startProxy, startRegistry, type TestRegistry } from "../registry/helpers.ts";
import { FAST, OCI_MANIFEST, DOCKER_MANIFEST, sha, type Manifest } from "./oci.ts";
import { arena, expectClean } from "./oracle.ts";

function blobFiles(root: string): string[] {
  return existsSync(join(root, "blobs/sha256")) ? readdirSync(join(root, "blobs/sha256")) : [];
}

async function getManifest(host: string, repo: string, ref: string, auth?: string): Promise<{ status: number; json?: Manifest; digest?: string }> {
  const r = await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, { headers: { accept: OCI_MANIFEST, ...(auth ? { authorization: auth } : {}) } });
  if (r.status !== 200) return { status: r.status };
  const bytes = Buffer.from(await r.arrayBuffer());
  return { status: 200, json: JSON.parse(bytes.toString("utf8")) as Manifest, digest: sha(bytes) };
}

/** An HTTP server on 127.0.0.2 (another origin) that records each request's headers. */
async function secondHost(answer: (url: string, res: ServerResponse) => void | Promise<void>): Promise<{ port: number; seen: { url: string; headers: IncomingHttpHeaders }[]; close(): Promise<void> }> {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    void answer(req.url ?? "", res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.2", r));
  const port = (server.address() as { port: number }).port;
  return { port, seen, close: () => new Promise((r) => server.close(() => r())) };
}

const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie", "x-registry-auth", "x-amz-security-token", "x-auth-token"];

describe("reliability: registry faults", () => {
  let reg: TestRegistry;
  let seed: { root: string; cleanup: () => void };
  let manifest: Manifest;
  let layer: { digest: string; size: number };
  let layerBytes: Buffer;
  beforeAll(async () => {
    reg = await startRegistry();
    seed = storeWithBusybox("rel-reg");
    strata(seed.root, ["tag", "busybox:latest", `${reg.host}/busybox:1`]);
    const p = strata(seed.root, ["push", `${reg.host}/busybox:1`]);
    if (p.code !== 0) throw new Error(p.stderr);
    manifest = (await getManifest(reg.host, "busybox", "1")).json as Manifest;
    layer = manifest.layers[0] as { digest: string; size: number };
    layerBytes = Buffer.from(await (await fetch(`http://${reg.host}/v2/busybox/blobs/${layer.digest}`)).arrayBuffer());
  });
  afterAll(async () => {
    await reg.stop();
    seed.cleanup();
  });

  it("case 34: 503 with Retry-After, 429, a reset mid-blob and a stall are retried with bounded backoff, and the pull completes", async () => {
    const faults = { manifest503: 1, config429: 1, reset: 1, stall: 1 };
    const proxy = await startProxy(reg.port, (req, res) => {
      const url = req.url ?? "";
      if (url.endsWith("/manifests/1") && faults.manifest503-- > 0) {
        res.writeHead(503, { "retry-after": "1" });
        res.end();
        return true;
      }
      if (url.endsWith(manifest.config.digest) && faults.config429-- > 0) {
        res.writeHead(429);
        res.end();
        return true;
      }
      if (url.endsWith(layer.digest) && faults.reset-- > 0) {
        res.writeHead(200, { "content-length": String(layerBytes.length) });
        res.write(layerBytes.subarray(0, layerBytes.length >> 1), () => res.socket?.destroy());
        return true;
      }
      if (url.endsWith(layer.digest) && faults.stall-- > 0) {
        // Headers and a part of the body, then nothing: the body timeout ends the attempt.
        res.writeHead(200, { "content-length": String(layerBytes.length) });
        res.write(layerBytes.subarray(0, 1000));
        return true;
      }
      return false;
    });
    const a = arena("case34");
    try {
      const t = performance.now();
      const r = await strataAsync(a.root, ["pull", `${proxy.host}/busybox:1`], { env: { ...FAST, STRATA_REGISTRY_TIMEOUT_MS: "1500" } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/HTTP 503; retrying in 1000 ms \(1\/4\)/);
      expect(r.stderr).toMatch(/HTTP 429; retrying in 5 ms/);
      expect(r.stderr.match(/download interrupted .*; retrying in \d+ ms/g)?.length).toBe(2);
      expect(performance.now() - t).toBeLessThan(30_000);
      expect(imageDigests(a.root, `${proxy.host}/busybox:1`)?.id).toBe(manifest.config.digest);
      expectClean(a);
    } finally {
      a.cleanup();
      await proxy.close();
    }
  });

  it("case 34: a blob whose every attempt is reset: exit 1 after a bounded number of GETs, naming host and digest; nothing committed", async () => {
    let gets = 0;
    const proxy = await startProxy(reg.port, (req, res) => {
      if (!(req.url ?? "").endsWith(layer.digest)) return false;
      gets++;
      res.writeHead(200, { "content-length": String(layerBytes.length) });
      res.write(layerBytes.subarray(0, layerBytes.length >> 1), () => res.socket?.destroy());
      return true;
    });
    const a = arena("case34-reset");
    try {
      const r = await strataAsync(a.root, ["pull", `${proxy.host}/busybox:1`], { env: FAST });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`error\\[REGISTRY_UNREACHABLE\\]: 127\\.0\\.0\\.1:${proxy.port}: layer ${layer.digest} of busybox: download failed 3 times, last: .*; nothing stored`));
      expect(gets).toBe(3);
      expect(blobFiles(a.root)).toEqual([]);
      expect(strata(a.root, ["images", "-q"]).stdout).toBe("");
      expectClean(a);
    } finally {
      a.cleanup();
      await proxy.close();
    }
  });

  it("case 35: wrong bytes, or a short body with a matching Content-Length: exit 3, nothing committed", async () => {
    let mode: "flip" | "short" = "flip";
    const proxy = await startProxy(
      reg.port,
      (req, res) => {
        if (mode !== "short" || !(req.url ?? "").endsWith(layer.digest)) return false;
        const half = layerBytes.subarray(0, layerBytes.length >> 1);
        res.writeHead(200, { "content-length": String(half.length) });
        res.end(half);
        return true;
      },
      (req, body) => {
        if (mode !== "flip" || !(req.url ?? "").endsWith(layer.digest)) return undefined;
        const copy = Buffer.from(body);
        copy[copy.length >> 1] = (copy[copy.length >> 1] as number) ^ 0x10;
        return copy;
      },
    );
    const a = arena("case35");
    try {
      const flip = await strataAsync(a.root, ["pull", `${proxy.host}/busybox:1`], { env: FAST });
      expect(flip.code, flip.stderr).toBe(3);
      expect(flip.stderr).toContain(`error[STORE_DIGEST_MISMATCH]: layer ${layer.digest} of ${proxy.host}/busybox: the bytes received hash to sha256:`);
      expect(blobFiles(a.root)).toEqual([]);
      mode = "short";
      const short = await strataAsync(a.root, ["pull", `${proxy.host}/busybox:1`], { env: FAST });
      expect(short.code, short.stderr).toBe(3);
      expect(short.stderr).toContain(`error[REGISTRY_DIGEST_MISMATCH]: ${proxy.host}/busybox: blob ${layer.digest}: the registry sends ${layerBytes.length >> 1} bytes (Content-Length), the descriptor says ${layer.size}; refused`);
      expect(blobFiles(a.root)).toEqual([]);
      expect(strata(a.root, ["images", "-q"]).stdout).toBe("");
      expectClean(a);
    } finally {
      a.cleanup();
      await proxy.close();
    }
  });

  describe("case 36: push faults", () => {
    let proxy: Awaited<ReturnType<typeof startProxy>>;
    let fault: "none" | "put500" | "mount" | "blobUnknown" = "none";
    const seen: string[] = [];
    beforeAll(async () => {
      proxy = await startProxy(reg.port, (req, res) => {
        const url = req.url ?? "";
        seen.push(`${req.method} ${url}`);
        if (fault === "put500" && req.method === "PUT" && url.includes("/blobs/uploads/") && url.includes("digest=")) {
          fault = "none";
          req.resume();
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ errors: [{ code: "UNKNOWN", message: "storage driver error" }] }));
          return true;
        }
        if (fault === "mount" && req.method === "POST" && url.includes("mount=")) {
          res.writeHead(403, { "content-type": "application/json" });
          res.end(JSON.stringify({ errors: [{ code: "DENIED", message: "cross-repository mount refused" }] }));
          return true;
        }
        if (fault === "blobUnknown" && req.method === "PUT" && url.includes("/manifests/")) {
          req.resume();
          res.writeHead(400, { "content-type": "application/json" });
          res.end(JSON.stringify({ errors: [{ code: "MANIFEST_BLOB_UNKNOWN", message: "blob unknown to registry", detail: layer.digest }] }));
          return true;
        }
        return false;
      });
    });
    afterAll(async () => proxy.close());

    it("case 36: a finalize PUT that gets 500 is retried; the pushed image pulls back the same", async () => {
      fault = "put500";
      seen.length = 0;
      const dest = `${proxy.host}/fin:1`;
      strata(seed.root, ["tag", "busybox:latest", dest]);
      const r = await strataAsync(seed.root, ["push", dest], { env: FAST });
      expect(r.code, r.stderr).toBe(0);
      expect(fault).toBe("none");
      expect(r.stderr).toMatch(/HTTP 500; retrying/);
      const a = arena("case36-fin");
      try {
        expect((await strataAsync(a.root, ["pull", `${reg.host}/fin:1`])).code).toBe(0);
        expect(imageDigests(a.root, `${reg.host}/fin:1`)?.id).toBe(imageDigests(seed.root, "busybox:latest")?.id);
        expectClean(a);
      } finally {
        a.cleanup();
      }
    });

    it("case 36: a refused cross-repository mount falls back to an upload; a re-push is idempotent", async () => {
      fault = "mount";
      seen.length = 0;
      const dest = `${proxy.host}/mnt:1`;
      strata(seed.root, ["tag", "busybox:latest", dest]);
      const r = await strataAsync(seed.root, ["push", dest], { env: FAST });
      expect(r.code, r.stderr).toBe(0);
      // It asked to mount (from fin, where the last push put the layer), was refused, and uploaded.
      expect(seen.some((s) => s.startsWith("POST /v2/mnt/blobs/uploads/?mount=") && s.includes("from=fin"))).toBe(true);
      expect(seen.some((s) => s.startsWith("PUT /v2/mnt/blobs/uploads/"))).toBe(true);
      expect(r.stderr).not.toMatch(/Mounted from/);
      const first = await getManifest(reg.host, "mnt", "1");
      expect(first.status).toBe(200);

      fault = "none";
      seen.length = 0;
      const again = await strataAsync(seed.root, ["push", dest], { env: FAST });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/Layer already exists/);
      // Nothing uploaded the second time; the same manifest.
      expect(seen.filter((s) => s.startsWith("POST") || s.startsWith("PATCH") || (s.startsWith("PUT") && s.includes("/blobs/")))).toEqual([]);
      expect((await getManifest(reg.host, "mnt", "1")).digest).toBe(first.digest);
    });

    it("case 36: MANIFEST_BLOB_UNKNOWN is a clear error naming the repository; the push after it succeeds", async () => {
      fault = "blobUnknown";
      const dest = `${proxy.host}/unknown:1`;
      strata(seed.root, ["tag", "busybox:latest", dest]);
      const r = await strataAsync(seed.root, ["push", dest], { env: FAST });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`error\\[REGISTRY_ERROR\\]: ${proxy.host.replace(/\./g, "\\.")}/unknown:1: the registry refused the manifest, saying it lacks a blob the manifest names \\(.*MANIFEST_BLOB_UNKNOWN: blob unknown to registry\\); nothing was tagged, push again`));
      expect(r.stderr.split("\n").filter((l) => l.startsWith("    at "))).toEqual([]);
      expect((await getManifest(reg.host, "unknown", "1")).status).toBe(404);
      fault = "none";
      const again = await strataAsync(seed.root, ["push", dest], { env: FAST });
      expect(again.code, again.stderr).toBe(0);
      expect((await getManifest(reg.host, "unknown", "1")).status).toBe(200);
    });
  });

  describe("case 20: credentials stay with the registry", () => {
    let authReg: TestRegistry;
    let home: string;
    const basic = `Basic ${Buffer.from("alice:s3cret").toString("base64")}`;
    beforeAll(async () => {
      authReg = await startRegistry({ htpasswd: { user: "alice", password: "s3cret" } });
      home = tempDir("rel-reg-home");
      strata(seed.root, ["tag", "busybox:latest", `${authReg.host}/busybox:1`]);
      expect(strata(seed.root, ["login", "-u", "alice", "-p", "s3cret", authReg.host], { env: { HOME: home } }).code).toBe(0);
      const p = strata(seed.root, ["push", `${authReg.host}/busybox:1`], { env: { HOME: home } });
      if (p.code !== 0) throw new Error(p.stderr);
    });
    afterAll(async () => {
      await authReg.stop();
    });

    it("case 20: a 307 to 127.0.0.2, which answers 503 and then 401, gets no Authorization, Cookie or auth header; the query secret is REDACTED", async () => {
      let mode: "serve" | "503" | "401" = "serve";
      let n503 = 0;
      const second = await secondHost(async (url, res) => {
        if (mode === "401") {
          res.writeHead(401, { "www-authenticate": 'Basic realm="storage"' });
          res.end();
          return;
        }
        if (mode === "503" && n503++ < 2) {
          res.writeHead(503);
          res.end();
          return;
        }
        const digest = /\/(sha256:[a-f0-9]{64})/.exec(url)?.[1] ?? "";
        const up = await fetch(`http://${authReg.host}/v2/busybox/blobs/${digest}`, { headers: { authorization: basic } });
        const body = Buffer.from(await up.arrayBuffer());
        res.writeHead(up.status, { "content-length": String(body.length) });
        res.end(body);
      });
      const registrySaw: IncomingHttpHeaders[] = [];
      const proxy = await startProxy(authReg.port, (req, res) => {
        const m = /\/v2\/busybox\/blobs\/(sha256:[a-f0-9]{64})$/.exec(req.url ?? "");
        if (!m || req.method !== "GET") return false;
        registrySaw.push(req.headers);
        res.writeHead(307, { location: `http://127.0.0.2:${second.port}/storage/${m[1]}?X-Amz-Signature=topsecret&X-Amz-Credential=alsosecret&digest=${m[1]}`, "set-cookie": "session=cookie-secret; Path=/" });
        res.end();
        return true;
      });
      const env = { HOME: home, ...FAST };
      const a = arena("case20", { own: ["r2", "r3"] });
      try {
        const lg = await strataAsync(a.root, ["login", "-u", "alice", "-p", "s3cret", proxy.host], { env });
        expect(lg.code, lg.stderr).toBe(0);
        const name = `${proxy.host}/busybox:1`;
        const ok = await strataAsync(a.root, ["pull", name], { env });
        expect(ok.code, ok.stderr).toBe(0);
        // The registry's own blob requests carried the credentials; the other host's never did.
        expect(registrySaw.length).toBeGreaterThan(0);
        expect(registrySaw.every((h) => h.authorization === basic)).toBe(true);
        expect(second.seen.length).toBe(registrySaw.length);

        expect(registrySaw.every((h) => h.cookie === undefined)).toBe(true);

        // Fresh stores, so the blobs are fetched again.
        mode = "503";
        const retried = await strataAsync(a.own.r2 as string, ["pull", name], { env });
        expect(retried.code, retried.stderr).toBe(0);
        expect(retried.stderr).toMatch(/GET \/v2\/busybox\/blobs\/sha256:[a-f0-9]{64} \(redirected to http:\/\/127\.0\.0\.2:\d+\/storage\/sha256:[a-f0-9]{64}\?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&digest=sha256:[a-f0-9]{64}\): HTTP 503; retrying in 5 ms/);
        expect(strata(a.own.r2 as string, ["system", "verify"]).code).toBe(0);

        mode = "401";
        const denied = await strataAsync(a.own.r3 as string, ["pull", name], { env });
        expect(denied.code, denied.stderr).toBe(1);
        expect(blobFiles(a.own.r3 as string)).toEqual([]);
        expect(denied.stderr).toMatch(/error\[REGISTRY_UNAUTHORIZED\]: .*redirected to http:\/\/127\.0\.0\.2:\d+\/storage\/sha256:[a-f0-9]{64}\?X-Amz-Signature=REDACTED.*HTTP 401 from the redirect's host/);
        for (const out of [ok, retried, denied]) {
          expect(out.stderr + out.stdout).not.toMatch(/topsecret|alsosecret|cookie-secret/);
        }
        for (const s of second.seen) for (const h of CREDENTIAL_HEADERS) expect(s.headers[h], `${h} sent to ${s.url}`).toBeUndefined();
        expectClean(a);
      } finally {
        a.cleanup();
        await proxy.close();
        await second.close();
      }
    });

    it("case 20: foreign URLs are not followed: a foreign layer is fetched from the registry, and its 401-answering host hears nothing", async () => {
      const foreign = await secondHost((_url, res) => {
        res.writeHead(401, { "www-authenticate": 'Basic realm="foreign"' });
        res.end();
      });
      const auth = await fetch(`http://${authReg.host}/v2/busybox/manifests/1`, { headers: { accept: OCI_MANIFEST, authorization: basic } });
      const m = (await auth.json()) as Manifest;
      const docker = {
        schemaVersion: 2,
        mediaType: DOCKER_MANIFEST,
        config: { ...m.config, mediaType: "application/vnd.docker.container.image.v1+json" },
        layers: m.layers.map((l) => ({ ...l, mediaType: "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", urls: [`http://127.0.0.2:${foreign.port}/layer?token=foreign-secret`] })),
      };
      const body = JSON.stringify(docker);
      const proxy = await startProxy(authReg.port, (req, res) => {
        if (!(req.url ?? "").endsWith("/manifests/1")) return false;
        res.writeHead(200, { "content-type": DOCKER_MANIFEST, "content-length": String(Buffer.byteLength(body)) });
        res.end(body);
        return true;
      });
      const env = { HOME: home, ...FAST };
      const a = arena("case20-foreign");
      try {
        const lg = await strataAsync(a.root, ["login", "-u", "alice", "-p", "s3cret", proxy.host], { env });
        expect(lg.code, lg.stderr).toBe(0);
        const r = await strataAsync(a.root, ["pull", `${proxy.host}/busybox:1`], { env });
        expect(r.code, r.stderr).toBe(0);
        expect(foreign.seen).toEqual([]);
        expect(r.stderr).not.toContain("foreign-secret");
        expectClean(a);
      } finally {
        a.cleanup();
        await proxy.close();
        await foreign.close();
      }
    });
  });

  it("case 45: 10 parallel pulls of images that share layers, into one store: each blob is downloaded once, verify passes", async () => {
    // Two more images on top of busybox, each one layer more.
    const ctx = tempDir("rel-reg-45");
    for (const app of ["app1", "app2"]) {
      mkdirSync(join(ctx, app));
      writeFileSync(join(ctx, app, "Dockerfile"), `FROM busybox:latest\nCOPY ${app} /${app}\n`);
      writeFileSync(join(ctx, app, app), `${app}\n`);
      const b = strata(seed.root, ["build", "--progress", "plain", "-t", `${reg.host}/${app}:1`, join(ctx, app)]);
      expect(b.code, b.stderr).toBe(0);
      expect(strata(seed.root, ["push", `${reg.host}/${app}:1`]).code).toBe(0);
    }
    const gets = new Map<string, number>();
    const proxy = await startProxy(reg.port, async (req) => {
      const m = /\/blobs\/(sha256:[a-f0-9]{64})$/.exec(req.url ?? "");
      if (m && req.method === "GET") {
        gets.set(m[1] as string, (gets.get(m[1] as string) ?? 0) + 1);
        // Slow enough that the pulls overlap, even when a loaded runner starts them far apart.
        await sleep(1000);
      }
      return false;
    });
    const a = arena("case45");
    try {
      // A claim left by a dead process is taken over, not waited on.
      mkdirSync(join(a.root, "tmp"), { recursive: true });
      writeFileSync(join(a.root, "tmp", `claim-${layer.digest.slice(7)}`), "999999999.1\n");
      const repos = ["busybox", "app1", "app2"];
      const pulls = Array.from({ length: 10 }, (_, i) => strataAsync(a.root, ["pull", `${proxy.host}/${repos[i % 3]}:1`], { env: FAST }));
      const results = await Promise.all(pulls);
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const distinct = new Set<string>();
      for (const repo of repos) {
        const m = (await getManifest(reg.host, repo, "1")).json as Manifest;
        distinct.add(m.config.digest);
        for (const l of m.layers) distinct.add(l.digest);
      }
      // busybox's layer, each app's own layer, three configs.
      expect(distinct.size).toBe(6);
      expect([...gets.keys()].sort()).toEqual([...distinct].sort());
      expect(Object.fromEntries(gets)).toEqual(Object.fromEntries([...distinct].map((d) => [d, 1])));
      // The others took the blob from the store or from the owner's staged file (which, depends on timing).
      expect(results.filter((r) => r.stderr.includes("Already exists")).length).toBeGreaterThan(0);
      for (const repo of repos) expect(imageDigests(a.root, `${proxy.host}/${repo}:1`)).toBeDefined();
      expect(readdirSync(join(a.root, "tmp")).filter((n) => n.startsWith("claim-") || n.startsWith("ingest-"))).toEqual([]);
      expectClean(a);
    } finally {
      a.cleanup();
      await proxy.close();
    }
  });
});
