import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pack } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowsPlainHttp, isLoopback } from "../../runtime/registry/reference.ts";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { imageDigests, startProxy, startRegistry, strataAsync, type TestRegistry } from "./helpers.ts";

async function collect(p: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe("registry faults", () => {
  let reg: TestRegistry;
  let root: string;
  let cleanup: () => void;
  const name = () => `${reg.host}/busybox:1.0`;
  beforeAll(async () => {
    reg = await startRegistry();
    ({ root, cleanup } = storeWithBusybox("faults"));
    strata(root, ["tag", "busybox:latest", name()]);
    const p = strata(root, ["push", name()]);
    if (p.code !== 0) throw new Error(p.stderr);
  });
  afterAll(async () => {
    await reg.stop();
    cleanup();
  });

  it("retries a registry that answers 500 twice, then recovers", async () => {
    let failures = 0;
    const proxy = await startProxy(reg.port, (_req, res) => {
      if (failures >= 2) return false;
      failures++;
      res.writeHead(500, { "content-type": "text/plain" });
      res.end("boom");
      return true;
    });
    try {
      const other = tempDir("retry");
      const r = await strataAsync(other, ["pull", `${proxy.host}/busybox:1.0`], { env: { STRATA_REGISTRY_BACKOFF_MS: "20" } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.match(/HTTP 500; retrying/g)?.length).toBe(2);
      expect(imageDigests(other, `${proxy.host}/busybox:1.0`)?.id).toBe(imageDigests(root, "busybox:latest")?.id);
      rmSync(other, { recursive: true, force: true });
    } finally {
      await proxy.close();
    }
  });

  it("gives up after a bounded number of attempts", async () => {
    const proxy = await startProxy(reg.port, (_req, res) => {
      res.writeHead(503);
      res.end();
      return true;
    });
    try {
      const other = tempDir("giveup");
      const r = await strataAsync(other, ["pull", `${proxy.host}/busybox:1.0`], { env: { STRATA_REGISTRY_BACKOFF_MS: "5", STRATA_REGISTRY_RETRIES: "3" } });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/HTTP 503/);
      expect(r.stderr.match(/retrying/g)?.length).toBe(2);
      rmSync(other, { recursive: true, force: true });
    } finally {
      await proxy.close();
    }
  });

  it("refuses a blob whose bytes do not match its digest, and stores nothing", async () => {
    const proxy = await startProxy(
      reg.port,
      () => false,
      (req, body) => {
        if (!/\/blobs\/sha256:/.test(req.url ?? "") || body.length < 1000) return undefined;
        const copy = Buffer.from(body);
        copy[copy.length - 20] = (copy[copy.length - 20] as number) ^ 0xff;
        return copy;
      },
    );
    try {
      const other = tempDir("corrupt");
      const r = await strataAsync(other, ["pull", `${proxy.host}/busybox:1.0`]);
      // Integrity: exit 3 (issue 15, item 2).
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/layer sha256:[a-f0-9]{64} of 127\.0\.0\.1:\d+\/busybox: the bytes received hash to sha256:[a-f0-9]{64}, not sha256:[a-f0-9]{64}; refused/);
      expect(strata(other, ["images", "-q"]).stdout).toBe("");
      expect(strata(other, ["system", "verify"]).stdout).toMatch(/ok/);
      expect(readFileSync(join(other, "index.json"), "utf8")).not.toMatch(/busybox/);
      const { readdirSync } = await import("node:fs");
      expect(readdirSync(join(other, "blobs/sha256"))).toEqual([]);
      rmSync(other, { recursive: true, force: true });
    } finally {
      await proxy.close();
    }
  });

  it("load refuses an archive blob that does not match its name, and a layer that does not match its diffID", async () => {
    const dir = tempDir("badload");
    const good = join(dir, "good.tar");
    expect(strata(root, ["save", "--format", "oci-archive", "-o", good, "busybox:latest"]).code).toBe(0);
    // Rewrite the archive with the config's bytes changed but its name kept.
    const { extract } = await import("tar-stream");
    const ex = extract();
    const out = pack();
    const collected = collect(out);
    ex.end(readFileSync(good));
    for await (const entry of ex) {
      const parts: Buffer[] = [];
      for await (const c of entry) parts.push(c as Buffer);
      let body = Buffer.concat(parts);
      // The config (uncompressed JSON): one more space, still valid JSON, no longer its digest.
      if (entry.header.name.startsWith("blobs/sha256/") && body.toString("utf8").includes('"rootfs"')) body = Buffer.concat([body, Buffer.from(" ")]);
      out.entry({ ...entry.header, size: body.length }, body);
    }
    out.finalize();
    const bad = join(dir, "bad.tar");
    writeFileSync(bad, await collected);
    const other = tempDir("badload-root");
    const r = strata(other, ["load", "-i", bad]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/blob blobs\/sha256\/[a-f0-9]{64} does not match its name \(.*hash to sha256:[a-f0-9]{64}.*\); nothing stored/);
    expect(strata(other, ["images", "-q"]).stdout).toBe("");
    expect(strata(other, ["system", "verify"]).stdout).toMatch(/ok/);

    // A docker-archive whose layer does not hash to the config's diffID.
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [`sha256:${"0".repeat(64)}`] }, history: [] }));
    const cfgHex = createHash("sha256").update(config).digest("hex");
    const p2 = pack();
    const c2 = collect(p2);
    p2.entry({ name: `${cfgHex}.json` }, config);
    p2.entry({ name: "layer.tar" }, Buffer.alloc(1024));
    p2.entry({ name: "manifest.json" }, JSON.stringify([{ Config: `${cfgHex}.json`, RepoTags: ["evil:1"], Layers: ["layer.tar"] }]));
    p2.finalize();
    const evil = join(dir, "evil.tar");
    writeFileSync(evil, await c2);
    const e = strata(other, ["load", "-i", evil]);
    expect(e.code).toBe(3);
    expect(e.stderr).toMatch(/image evil:1: layer layer\.tar hashes to sha256:[a-f0-9]{64} uncompressed, but the config says diffID sha256:0{64}; refused, nothing stored/);
    expect(strata(other, ["images", "-q"]).stdout).toBe("");
    expect(strata(other, ["system", "verify"]).stdout).toMatch(/ok/);
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  });

  it("plain HTTP only for loopback unless --insecure-registry names the host (the decision, no connection)", () => {
    for (const h of ["localhost:5000", "127.0.0.1:5000", "127.8.9.10", "[::1]:5000", "localhost"]) expect(allowsPlainHttp(h)).toBe(true);
    for (const h of ["registry.example.com", "10.0.0.5:5000", "192.168.1.2", "localhost.example.com:5000", "128.0.0.1"]) expect(allowsPlainHttp(h)).toBe(false);
    expect(allowsPlainHttp("registry.example.com:5000", ["registry.example.com:5000"])).toBe(true);
    expect(allowsPlainHttp("registry.example.com:5000", ["registry.example.com"])).toBe(true);
    expect(allowsPlainHttp("registry.example.com:5000", ["other.example.com"])).toBe(false);
    expect(isLoopback("127.0.0.1")).toBe(true);
  });
});
