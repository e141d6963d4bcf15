/**
 * The registry cache's faults degrade, never poison (issue 23, item 3), through a proxy on
 * 127.0.0.1 in front of docker-registry: a record request answered 503 (after the bounded
 * retries), a record blob that does not match its digest, one that is not JSON, a layer whose
 * bytes do not match its digest — each time the build goes on without that record (its step
 * runs), with one warning line naming the cache, the key and, where there is one, the digest,
 * and nothing unverified in the store (`system verify`). A 429 answered once is retried and the
 * record used. And lookups scale (item 2): with 10,000 records in the cache (written straight into
 * the registry's storage by a helper below), a small build asks a few requests per layer step,
 * counted at the proxy, never a listing.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordArtifact, recordTag } from "../../runtime/registry/cache-format.ts";
import { RegistryClient } from "../../runtime/registry/client.ts";
import { Repository } from "../../runtime/registry/repository.ts";
import { pushBytes } from "../../runtime/registry/push-image.ts";
import { MediaType } from "../../runtime/store/oci.ts";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { startProxy, startRegistry, strataAsync, type TestRegistry } from "./helpers.ts";

const hexOf = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

/** Writes a blob and its link into repository `repo` of distribution's filesystem storage under `data`. */
function storeBlob(data: string, repo: string, bytes: Buffer, kind: "_layers" | "_manifests/revisions"): string {
  const hex = hexOf(bytes);
  const v2 = join(data, "docker/registry/v2");
  mkdirSync(join(v2, "blobs/sha256", hex.slice(0, 2), hex), { recursive: true });
  writeFileSync(join(v2, "blobs/sha256", hex.slice(0, 2), hex, "data"), bytes);
  const link = join(v2, "repositories", repo, kind, "sha256", hex);
  mkdirSync(link, { recursive: true });
  writeFileSync(join(link, "link"), `sha256:${hex}`);
  return `sha256:${hex}`;
}

/** `n` records (no layer) tagged in `repo` as the cache at tag `refTag`: straight into the registry's files, not n builds. */
function writeRecords(data: string, repo: string, refTag: string, n: number): void {
  const v2 = join(data, "docker/registry/v2/repositories", repo, "_manifests/tags");
  for (let i = 0; i < n; i++) {
    const key = `sha256:${hexOf(randomBytes(16))}`;
    const a = recordArtifact(key, { diffId: null, size: 0, created: "2026-01-01T00:00:00Z" });
    const manifest = a.manifest(storeBlob(data, repo, a.config, "_layers"));
    const digest = storeBlob(data, repo, manifest, "_manifests/revisions");
    const tag = join(v2, recordTag(refTag, key));
    mkdirSync(join(tag, "current"), { recursive: true });
    mkdirSync(join(tag, "index/sha256", digest.slice(7)), { recursive: true });
    writeFileSync(join(tag, "current/link"), digest);
    writeFileSync(join(tag, "index/sha256", digest.slice(7), "link"), digest);
  }
}

type Fault = (req: IncomingMessage, body: Buffer) => Buffer | undefined;

describe("registry cache faults, through a proxy", () => {
  let reg: TestRegistry;
  let seed: { root: string; cleanup: () => void };
  let dir: string;
  let ctx: string;
  const roots: string[] = [];
  // What the proxy does now: answer a request itself (status), or rewrite a response body.
  let answer: (req: IncomingMessage) => number | undefined = () => undefined;
  let rewrite: Fault = () => undefined;
  let seen: string[] = [];
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  const fresh = (name: string) => {
    const r = tempDir(`faults-${name}`);
    roots.push(r);
    return r;
  };
  beforeAll(async () => {
    reg = await startRegistry();
    seed = storeWithBusybox("faults");
    dir = tempDir("faults");
    proxy = await startProxy(
      reg.port,
      (req, res) => {
        seen.push(`${req.method} ${req.url}`);
        const status = answer(req);
        if (status === undefined) return false;
        res.writeHead(status, { "content-type": "application/json", "retry-after": "0" });
        res.end(JSON.stringify({ errors: [{ code: "UNAVAILABLE", message: `proxy says ${status}` }] }));
        return true;
      },
      (req, body) => rewrite(req, body),
    );
    const base = `${reg.host}/faults/busybox:latest`;
    strata(seed.root, ["tag", "busybox:latest", base]);
    expect(strata(seed.root, ["push", base]).code).toBe(0);
    ctx = join(dir, "ctx");
    mkdirSync(ctx);
    // No two RUNs side by side: no merged layers, one record per step (asked all at once: engine/exec/executor.ts askAhead).
    writeFileSync(join(ctx, "Dockerfile"), [`FROM ${base}`, "RUN echo one > /one", "COPY a.txt /a.txt", "RUN echo two > /two", "COPY b.txt /b.txt", "RUN echo three > /three", ""].join("\n"));
    writeFileSync(join(ctx, "a.txt"), "a\n");
    writeFileSync(join(ctx, "b.txt"), "b\n");
    const first = strata(seed.root, ["build", "--progress", "plain", "-t", "faults:1", "--cache-to", `type=registry,ref=${reg.host}/faults/cache:main`, ctx]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/cache exported to .*: 5 records, 5 layers/);
  });
  afterAll(async () => {
    await proxy.close();
    await reg.stop();
    seed.cleanup();
    for (const d of [dir, ...roots]) rmSync(d, { recursive: true, force: true });
  });

  /** The record tags the build asked for, in order (GET of a manifest whose tag is main-<hex>). */
  const recordGets = () => seen.filter((s) => /^GET \/v2\/faults\/cache\/manifests\/main-[a-f0-9]{64}$/.test(s)).map((s) => `sha256:${s.slice(-64)}`);
  /** The nth distinct record tag asked for (1-based) is this request's? */
  const nthRecord = (req: IncomingMessage, n: number) => {
    const m = /^\/v2\/faults\/cache\/manifests\/main-([a-f0-9]{64})$/.exec(req.url ?? "");
    if (!m || req.method !== "GET") return false;
    const order = [...new Set(recordGets())];
    return order[n - 1] === `sha256:${m[1]}`;
  };
  // Async: the proxy runs in this process, so a build through it must not block the event loop (spawnSync would).
  const build = (root: string) => strataAsync(root, ["build", "--progress", "plain", "-t", "faults:1", "--cache-from", `${proxy.host}/faults/cache:main`, ctx], { env: { STRATA_REGISTRY_BACKOFF_MS: "10" } });
  const warnings = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("warning:"));
  const reset = () => {
    seen = [];
    answer = () => undefined;
    rewrite = () => undefined;
  };

  it("a record answered 503 (every retry): one warning naming cache and key; that step runs, the rest are hits", async () => {
    reset();
    let refused = 0;
    answer = (req) => {
      if (!nthRecord(req, 2)) return undefined;
      refused++;
      return 503;
    };
    const root = fresh("503");
    const b = await build(root);
    expect(b.code, b.stderr).toBe(0);
    const key = [...new Set(recordGets())][1] as string;
    // The bounded retries: 3 attempts in all.
    expect(refused).toBe(3);
    expect(warnings(b.stderr)).toEqual([expect.stringContaining(`warning: cache ${proxy.host}/faults/cache:main: record ${key} not used (`)]);
    expect(b.stderr).toMatch(/^1 steps run, 4 cached$/m);
    expect(strata(root, ["system", "verify"]).stdout).toMatch(/ok/);
  });

  it("a 429 answered once is retried and the record used: no warning, no step run", async () => {
    reset();
    let once = false;
    answer = (req) => {
      if (!nthRecord(req, 1) || once) return undefined;
      once = true;
      return 429;
    };
    const b = await build(fresh("429"));
    expect(b.code, b.stderr).toBe(0);
    expect(once).toBe(true);
    expect(warnings(b.stderr)).toEqual([]);
    expect(b.stderr).toMatch(/^0 steps run, 5 cached$/m);
  });

  it("a record blob that does not match its digest: one warning naming key and digest; the step runs", async () => {
    reset();
    let blob: string | undefined;
    let target: string | undefined;
    // The config blob of the 3rd record asked for (its manifest names it): its bytes altered.
    rewrite = (req, body) => {
      if (nthRecord(req, 3) && target === undefined) target = (JSON.parse(body.toString()) as { config: { digest: string } }).config.digest;
      if (req.method !== "GET" || target === undefined || req.url !== `/v2/faults/cache/blobs/${target}` || blob !== undefined) return undefined;
      if (!body.toString().includes('"version":2')) return undefined;
      blob = target;
      // The same length (a Content-Length that is not the descriptor's size is refused before reading): only the digest tells.
      return Buffer.from(body.toString().replace('"created":"2', '"created":"3'));
    };
    const root = fresh("record-digest");
    const b = await build(root);
    expect(b.code, b.stderr).toBe(0);
    const key = [...new Set(recordGets())][2] as string;
    expect(blob).toMatch(/^sha256:/);
    const w = warnings(b.stderr);
    expect(w).toHaveLength(1);
    expect(w[0]).toContain(`record ${key} not used`);
    expect(w[0]).toContain(blob as string);
    expect(b.stderr).toMatch(/^1 steps run, 4 cached$/m);
    expect(strata(root, ["system", "verify"]).stdout).toMatch(/ok/);
  });

  it("a record blob that is not JSON (its digest right: written so): one warning; the step runs", async () => {
    reset();
    // The 1st step's record replaced in the registry by one whose config blob is valid bytes, not JSON.
    const first = fresh("bad-json-probe");
    await build(first);
    const key = [...new Set(recordGets())][0] as string;
    const client = new RegistryClient(reg.host, {});
    const repo = new Repository(client, "faults/cache");
    const bad = Buffer.from("{ not json");
    const digest = await pushBytes(repo, bad);
    const good = JSON.parse(recordArtifact(key, { diffId: null, size: 0, created: "x" }).manifest(digest).toString()) as { config: { size: number } };
    good.config.size = bad.length;
    const saved = await repo.getManifest(recordTag("main", key));
    await repo.putManifest(recordTag("main", key), Buffer.from(JSON.stringify(good)), MediaType.manifest);
    try {
      reset();
      const root = fresh("bad-json");
      const b = await build(root);
      expect(b.code, b.stderr).toBe(0);
      const w = warnings(b.stderr);
      expect(w).toHaveLength(1);
      expect(w[0]).toContain(`record ${key} not used`);
      expect(w[0]).toMatch(new RegExp(`${digest}.*not JSON`));
      expect(b.stderr).toMatch(/^1 steps run, 4 cached$/m);
    } finally {
      await repo.putManifest(recordTag("main", key), saved.bytes, MediaType.manifest);
      await client.close();
    }
  });

  it("a layer whose bytes do not match its digest: one warning naming key and digest; the step runs, nothing bad kept", async () => {
    reset();
    let corrupted: string | undefined;
    rewrite = (req, body) => {
      const m = /^\/v2\/faults\/cache\/blobs\/(sha256:[a-f0-9]{64})$/.exec(req.url ?? "");
      if (!m || corrupted !== undefined || body.length < 100 || body.toString().includes('"version":2')) return undefined;
      corrupted = m[1];
      const out = Buffer.from(body);
      out[out.length - 10] = (out[out.length - 10] as number) ^ 0xff;
      return out;
    };
    const root = fresh("layer");
    const b = await build(root);
    expect(b.code, b.stderr).toBe(0);
    expect(corrupted).toMatch(/^sha256:/);
    const w = warnings(b.stderr);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(new RegExp(`^warning: cache ${proxy.host}/faults/cache:main: record sha256:[a-f0-9]{64}: layer ${corrupted} not used \\(`));
    // The build ran again without that record: one step run, the image whole.
    expect(b.stderr).toMatch(/^1 steps run, 4 cached$/m);
    expect(strata(root, ["system", "verify"]).stdout).toMatch(/ok/);
    expect((await strataAsync(root, ["run", "--rm", "faults:1", "cat", "/one", "/a.txt", "/two", "/b.txt", "/three"])).stdout).toBe("one\na\ntwo\nb\nthree\n");
  });

  it("with 10,000 records in the cache a fresh build asks a few requests per layer step, and no listing", async () => {
    writeRecords(join(reg.dir, "data"), "faults/cache", "main", 10_000);
    reset();
    const b = await build(fresh("10k"));
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/^0 steps run, 5 cached$/m);
    const cacheRequests = seen.filter((s) => s.includes("/v2/faults/cache/"));
    // REF's manifest, then per step its record's manifest and blob, and its layer's blob (the image needs every one).
    expect(cacheRequests.filter((s) => s.includes("/tags/list"))).toEqual([]);
    expect(cacheRequests.length, cacheRequests.join("\n")).toBeLessThanOrEqual(1 + 5 * 3);
    expect(cacheRequests.filter((s) => /manifests\/main-/.test(s))).toHaveLength(5);
    // Writing 10,000 records' files takes a while on a loaded machine.
  }, 300_000);
});
