import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { pack } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage } from "../../runtime/registry/push.ts";
import { Store } from "../../runtime/store/store.ts";
import { strata, tempDir } from "../helpers/strata.ts";
import { type Hook, startProxy, startRegistry, strataAsync, type TestRegistry } from "./helpers.ts";

/** A tar of several gzip pieces' worth (4 MiB each): half random, half compressible. */
async function layerTar(): Promise<Buffer> {
  const p = pack();
  p.entry({ name: "random.bin" }, randomBytes(6 << 20));
  p.entry({ name: "text.txt" }, Buffer.from("strata streams layers as it compresses them\n".repeat(150_000)));
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
}

/** A proxy that records every request, and lets `fault` answer some. */
function recording(seen: Seen[], fault?: Hook): Hook {
  return (req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    return fault ? fault(req, res) : false;
  };
}

const uploadId = (url: string) => /\/blobs\/uploads\/([^?/]+)/.exec(url)?.[1];

/** The one compressed-blob record of a store that has pushed one layer. */
function remembered(root: string): { digest: string; size: number } {
  const files = readdirSync(join(root, "compressed"));
  expect(files).toHaveLength(1);
  return JSON.parse(readFileSync(join(root, "compressed", files[0] as string), "utf8"));
}

/** The blob as the registry serves it: its bytes hash to `digest`. */
async function registryHas(reg: TestRegistry, repo: string, digest: string): Promise<number> {
  const r = await fetch(`http://${reg.host}/v2/${repo}/blobs/${digest}`);
  expect(r.status).toBe(200);
  const bytes = Buffer.from(await r.arrayBuffer());
  expect(`sha256:${createHash("sha256").update(bytes).digest("hex")}`).toBe(digest);
  return bytes.length;
}

describe("streamed push (upload while compressing)", () => {
  let reg: TestRegistry;
  let tar: string;
  let dir: string;
  const roots: string[] = [];
  /** A fresh store with the test layer imported as big:1: nothing compressed yet. */
  const freshRoot = () => {
    const root = tempDir("stream-root");
    roots.push(root);
    const r = strata(root, ["import", tar, "big:1"]);
    if (r.code !== 0) throw new Error(r.stderr);
    return root;
  };
  beforeAll(async () => {
    reg = await startRegistry();
    dir = tempDir("stream");
    tar = join(dir, "layer.tar");
    writeFileSync(tar, await layerTar());
  });
  afterAll(async () => {
    await reg.stop();
    for (const r of roots) rmSync(r, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  let firstDigest: string | undefined;

  it("a first push streams the layer in one PATCH and closes with the digest of the blob it stored", async () => {
    const root = freshRoot();
    const seen: Seen[] = [];
    const proxy = await startProxy(reg.port, recording(seen));
    try {
      const r = await strataAsync(root, ["push", "big:1", `${proxy.host}/stream:1`]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/: Pushing \(\d+\.\d MB uncompressed\)/);
      expect(r.stderr).toMatch(/: Pushed \(/);
      const { digest, size } = remembered(root);
      expect(existsSync(join(root, "blobs/sha256", digest.slice(7)))).toBe(true);
      // Uploads: the config's (a monolithic PUT) and the layer's, streamed.
      const patches = seen.filter((s) => s.method === "PATCH");
      expect(patches).toHaveLength(1);
      const patch = patches[0] as Seen;
      expect(patch.headers["content-range"]).toBeUndefined();
      expect(patch.headers["content-length"]).toBeUndefined();
      expect(patch.headers["transfer-encoding"]).toBe("chunked");
      const after = seen.slice(seen.indexOf(patch) + 1).find((s) => uploadId(s.url) === uploadId(patch.url));
      expect(after?.method).toBe("PUT");
      expect(after?.headers["content-length"]).toBe("0");
      expect(new URL(after?.url ?? "", "http://x").searchParams.get("digest")).toBe(digest);
      expect(await registryHas(reg, "stream", digest)).toBe(size);
      expect(existsSync(join(reg.dir, "data/docker/registry/v2/repositories/stream/_layers/sha256", digest.slice(7)))).toBe(true);
      firstDigest = digest;
      // Pushed again (another host name, so no mount), the remembered blob is uploaded from the store as it is.
      const again = await strataAsync(root, ["push", "big:1", `${reg.host}/again:1`]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain(`${digest.slice(7, 19)}: Pushing (${(size / (1 << 20)).toFixed(1)} MB)`);
      expect(remembered(root).digest).toBe(digest);
    } finally {
      await proxy.close();
    }
  });

  const faults: [string, string, Hook][] = [
    [
      "answers 500",
      "failed500",
      (_req, res) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end("boom");
        return true;
      },
    ],
    [
      "drops the connection",
      "dropped",
      (req) => {
        req.socket.destroy();
        return true;
      },
    ],
  ];
  it.each(faults)("a streamed PATCH the registry %s falls back to uploading the stored blob, same digest", async (_what, repo, fault) => {
    const root = freshRoot();
    const seen: Seen[] = [];
    let failed = 0;
    const proxy = await startProxy(
      reg.port,
      recording(seen, (req, res) => {
        if (req.method !== "PATCH" || failed > 0) return false;
        failed++;
        return fault(req, res);
      }),
    );
    try {
      const r = await strataAsync(root, ["push", "big:1", `${proxy.host}/${repo}:1`], { env: { STRATA_REGISTRY_BACKOFF_MS: "20" } });
      expect(r.code, r.stderr).toBe(0);
      expect(failed).toBe(1);
      expect(r.stderr).toMatch(/: streamed upload failed \(.*\); uploading the stored blob/);
      expect(r.stderr).toMatch(/: Pushed \(/);
      // Not retried with a consumed stream: one PATCH, then a monolithic PUT of the stored blob.
      expect(r.stderr).not.toMatch(/PATCH .*retrying/);
      expect(seen.filter((s) => s.method === "PATCH")).toHaveLength(1);
      const { digest, size } = remembered(root);
      const put = seen.find((s) => s.method === "PUT" && new URL(s.url, "http://x").searchParams.get("digest") === digest);
      expect(put?.headers["content-length"]).toBe(String(size));
      expect(await registryHas(reg, repo, digest)).toBe(size);
      // Compression is deterministic: the same blob as the first test's streamed push.
      if (firstDigest) expect(digest).toBe(firstDigest);
    } finally {
      await proxy.close();
    }
  });

  it("when the store side fails mid-stream, the push fails and the upload is never completed", async () => {
    const root = freshRoot();
    const seen: Seen[] = [];
    const proxy = await startProxy(reg.port, recording(seen));
    const store = new Store(root);
    // The disk "fills up" after the first compressed piece has gone to both sides.
    const writer = store.content.writer.bind(store.content);
    store.content.writer = async () => {
      const w = await writer();
      let n = 0;
      const write = w.write.bind(w);
      w.write = async (c: Uint8Array) => {
        if (n++ > 0) throw Object.assign(new Error("no space left on device (test)"), { code: "ENOSPC" });
        await write(c);
      };
      return w;
    };
    try {
      await expect(pushImage({ store, source: "big:1", dest: `${proxy.host}/broken:1`, log: () => undefined })).rejects.toThrow(/no space left on device \(test\)/);
      expect(seen.some((s) => s.method === "PATCH")).toBe(true);
      // The config goes up beside the layer; the layer's upload is never completed, and no manifest is put.
      const config = (await store.getImage("big:1")).configDigest;
      const puts = seen.filter((s) => s.method === "PUT").map((s) => decodeURIComponent(s.url));
      expect(puts.every((u) => u.includes("/blobs/uploads/") && u.includes(`digest=${config}`))).toBe(true);
      expect(existsSync(join(root, "compressed"))).toBe(false);
      // The registry links no blob but the config into the repository (a completed upload links one under _layers).
      const linked = join(reg.dir, "data/docker/registry/v2/repositories/broken/_layers/sha256");
      const blobs = existsSync(linked) ? readdirSync(linked) : [];
      expect(blobs.filter((hex) => `sha256:${hex}` !== config)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
