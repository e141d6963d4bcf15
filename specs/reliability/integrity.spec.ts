/**
 * The reliability battery (../shared/design/RELIABILITY.md), integrity and strict documents:
 * case 38 (a flipped byte in a stored blob: verify names it, save and push refuse it with exit 3
 * and leave nothing, a build FROM the image fetches the layer again), case 17 (a pull whose blob
 * does not match, whose size lies, or whose manifest is 5 MiB: exit 3 or 4, nothing committed,
 * reading stops at size + 1; a load whose blob is not its name: exit 3) and case 18 (a manifest that is also an index, or whose mediaType
 * is not its Content-Type: exit 3, in pull and in OCI load). A real docker-registry, a fault
 * proxy in front of it (specs/registry/helpers.ts) and the oracle (oracle.ts).
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import { extract, pack } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, strataAsync } from "../helpers/strata.ts";
import { startProxy, startRegistry, type TestRegistry } from "../registry/helpers.ts";
import { FAST, OCI_MANIFEST, OCI_INDEX, sha, type Manifest } from "./oci.ts";
import { arena, expectClean } from "./oracle.ts";

function blobFiles(root: string): string[] {
  return existsSync(join(root, "blobs/sha256")) ? readdirSync(join(root, "blobs/sha256")) : [];
}

/** Serves `body` as a manifest of type `type` (the hook of a fault proxy). */
function serve(res: ServerResponse, body: Buffer | string, type: string): true {
  res.writeHead(200, { "content-type": type, "content-length": String(Buffer.byteLength(body)), "docker-content-digest": sha(Buffer.from(body)) });
  res.end(body);
  return true;
}

describe("reliability: integrity and strict documents", () => {
  let reg: TestRegistry;
  let seed: { root: string; cleanup: () => void };
  let manifest: Manifest;
  let layer: { digest: string; size: number };
  beforeAll(async () => {
    reg = await startRegistry();
    seed = storeWithBusybox("rel-int");
    strata(seed.root, ["tag", "busybox:latest", `${reg.host}/busybox:1`]);
    const p = strata(seed.root, ["push", `${reg.host}/busybox:1`]);
    if (p.code !== 0) throw new Error(p.stderr);
    const r = await fetch(`http://${reg.host}/v2/busybox/manifests/1`, { headers: { accept: OCI_MANIFEST } });
    manifest = (await r.json()) as Manifest;
    layer = manifest.layers[0] as { digest: string; size: number };
  });
  afterAll(async () => {
    await reg.stop();
    seed.cleanup();
  });

  it("case 38: a flipped byte in a pulled layer: verify names it, save and push exit 3 and leave nothing, a build refetches the layer", async () => {
    const gets: string[] = [];
    const proxy = await startProxy(reg.port, (req) => {
      if (req.method === "GET") gets.push(req.url ?? "");
      return false;
    });
    const a = arena("case38", { own: ["out", "ctx"] });
    try {
      const name = `${proxy.host}/busybox:1`;
      const pulled = await strataAsync(a.root, ["pull", name]);
      expect(pulled.code, pulled.stderr).toBe(0);
      const blob = join(a.root, "blobs/sha256", layer.digest.slice(7));
      const bytes = readFileSync(blob);
      bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 0x01;
      writeFileSync(blob, bytes);

      const v = strata(a.root, ["system", "verify"]);
      expect(v.code).not.toBe(0);
      expect(v.stdout + v.stderr).toContain(`blob ${layer.digest} hashes to sha256:`);

      // save: exit 3 naming the digest; neither the archive nor its temp file is left.
      const out = join(a.own.out as string, "img.tar");
      const s = strata(a.root, ["save", "-o", out, name]);
      expect(s.code, s.stderr).toBe(3);
      expect(s.stderr).toMatch(new RegExp(`error\\[STORE_CORRUPT\\]: blob ${layer.digest} in the store hashes to sha256:[a-f0-9]{64}`));
      expect(readdirSync(a.own.out as string)).toEqual([]);

      // push (to a repository it cannot be mounted into): exit 3, and no manifest reaches the registry.
      const dest = `${reg.host}/copy:1`;
      strata(a.root, ["tag", name, dest]);
      const p = strata(a.root, ["push", dest]);
      expect(p.code, p.stderr).toBe(3);
      expect(p.stderr).toContain(`blob ${layer.digest}`);
      expect((await fetch(`http://${reg.host}/v2/copy/manifests/1`, { headers: { accept: OCI_MANIFEST } })).status).toBe(404);
      expect(strata(a.root, ["rmi", dest]).code).toBe(0);

      // A build FROM the image fetches the layer again from where it was pulled, instead of using the bad copy.
      writeFileSync(join(a.own.ctx as string, "Dockerfile"), `FROM ${name}\nCOPY hello /hello\n`);
      writeFileSync(join(a.own.ctx as string, "hello"), "hello\n");
      const before = gets.filter((u) => u.endsWith(layer.digest)).length;
      const b = await strataAsync(a.root, ["build", "--progress", "plain", "-t", "rebuilt:1", a.own.ctx as string]);
      expect(b.code, b.stderr).toBe(0);
      expect(b.stderr).toContain("the stored blob is corrupt; fetching it again from");
      expect(gets.filter((u) => u.endsWith(layer.digest)).length).toBe(before + 1);
      expect(sha(readFileSync(blob))).toBe(layer.digest);
      expectClean(a);
    } finally {
      a.cleanup();
      await proxy.close();
    }
  });

  it("case 38: a flipped byte in a layer no registry has (loaded from an archive): a build on its checked unpacked copy never reads it, save exits 3; without that copy the build exits 3 naming the digest", async () => {
    const a = arena("case38b", { own: ["ctx"] });
    try {
      // The seed store's layer, loaded here from an archive: stored uncompressed, blob digest = diffID, no registry known.
      const id = JSON.parse(readFileSync(join(seed.root, "index.json"), "utf8")) as { manifests: { digest: string }[] };
      const m = JSON.parse(readFileSync(join(seed.root, "blobs/sha256", (id.manifests[0] as { digest: string }).digest.slice(7)), "utf8")) as Manifest;
      const diffId = (m.layers[0] as { digest: string }).digest;
      const s = strata(seed.root, ["save", "-o", join(a.own.ctx as string, "bb.tar"), "busybox:latest"]);
      expect(s.code, s.stderr).toBe(0);
      const l = strata(a.root, ["load", "-i", join(a.own.ctx as string, "bb.tar")]);
      expect(l.code, l.stderr).toBe(0);
      const blob = join(a.root, "blobs/sha256", diffId.slice(7));
      const bytes = readFileSync(blob);
      bytes[600] = (bytes[600] as number) ^ 0x01;
      writeFileSync(blob, bytes);
      writeFileSync(join(a.own.ctx as string, "Dockerfile"), "FROM busybox:latest\nCOPY Dockerfile /d\n");
      // load unpacked the layer, checked against its diffID: a build mounts that copy and never reads the blob again.
      const onCopy = strata(a.root, ["build", "--progress", "plain", "-t", "y:1", a.own.ctx as string]);
      expect(onCopy.code, onCopy.stderr).toBe(0);
      // What leaves the machine is read, and checked: the bad bytes do not.
      const out = join(a.own.ctx as string, "y.tar");
      const saved = strata(a.root, ["save", "-o", out, "y:1"]);
      expect(saved.code, saved.stderr).toBe(3);
      expect(saved.stderr).toContain(diffId);
      expect(existsSync(out)).toBe(false);
      strata(a.root, ["rmi", "y:1"]);
      // Without the unpacked copy, the build must unpack the blob, and refuses it.
      rmSync(join(a.root, "snapshots", diffId.slice(7)), { recursive: true, force: true });
      rmSync(join(a.root, "snapshots", "l", diffId.slice(7, 23)), { force: true });
      const b = strata(a.root, ["build", "--progress", "plain", "-t", "x:1", a.own.ctx as string]);
      expect(b.code, b.stderr).toBe(3);
      expect(b.stderr).toMatch(new RegExp(`blob ${diffId} in the store hashes to sha256:[a-f0-9]{64}: it is corrupt .*no registry is known to hold it`));
      expect(strata(a.root, ["images", "-q", "x:1"]).stdout).toBe("");
      const problems = a.check();
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`blob ${diffId} hashes to`);
    } finally {
      a.cleanup();
    }
  });

  it("case 17: a blob whose bytes do not match, or whose size lies (the server sends 64 MiB), or a 5 MiB manifest: exit 3 or 4, nothing committed, reading stops at size + 1; load of a blob that is not its name: exit 3", async () => {
    let sent = 0;
    let mode: "flip" | "lie" | "big" | "chunked-big" = "flip";
    const lied: Manifest = { ...manifest, layers: [{ ...(manifest.layers[0] as Manifest["layers"][0]), size: 2000 }] };
    const proxy = await startProxy(
      reg.port,
      (req, res) => {
        const url = req.url ?? "";
        if (mode === "lie" && url.endsWith("/manifests/1")) return serve(res, JSON.stringify(lied), OCI_MANIFEST);
        if (mode === "lie" && url.endsWith(layer.digest)) {
          // No Content-Length, and far more than the descriptor's 2,000 bytes.
          res.writeHead(200, { "content-type": "application/octet-stream" });
          const chunk = Buffer.alloc(64 << 10, 7);
          const more = (): void => {
            while (sent < 64 << 20) {
              sent += chunk.length;
              if (!res.write(chunk)) {
                res.once("drain", more);
                return;
              }
            }
            res.end();
          };
          res.on("close", () => undefined);
          more();
          return true;
        }
        if ((mode === "big" || mode === "chunked-big") && url.endsWith("/manifests/1")) {
          const big = Buffer.from(JSON.stringify({ ...manifest, annotations: { pad: "x".repeat(5 << 20) } }));
          if (mode === "big") return serve(res, big, OCI_MANIFEST);
          res.writeHead(200, { "content-type": OCI_MANIFEST });
          let at = 0;
          const more = (): void => {
            while (at < big.length) {
              const c = big.subarray(at, at + (64 << 10));
              at += c.length;
              sent += c.length;
              if (!res.write(c)) {
                res.once("drain", more);
                return;
              }
            }
            res.end();
          };
          more();
          return true;
        }
        return false;
      },
      (req, body) => {
        if (mode !== "flip" || !(req.url ?? "").endsWith(layer.digest)) return undefined;
        const copy = Buffer.from(body);
        copy[100] = (copy[100] as number) ^ 0xff;
        return copy;
      },
    );
    const a = arena("case17", { own: ["in"] });
    try {
      const name = `${proxy.host}/busybox:1`;
      const flip = await strataAsync(a.root, ["pull", name], { env: FAST });
      expect(flip.code, flip.stderr).toBe(3);
      expect(flip.stderr).toContain(`layer ${layer.digest} of ${proxy.host}/busybox: the bytes received hash to sha256:`);
      expect(blobFiles(a.root)).toEqual([]);

      mode = "lie";
      const lie = await strataAsync(a.root, ["pull", name], { env: FAST });
      expect(lie.code, lie.stderr).toBe(3);
      expect(lie.stderr).toContain(`layer ${layer.digest} of ${proxy.host}/busybox: more than 2000 bytes received, the descriptor says 2000; refused`);
      // The body was cut off: the server got nowhere near its 64 MiB out.
      expect(sent).toBeLessThan(16 << 20);
      expect(blobFiles(a.root)).toEqual([]);

      mode = "big";
      const big = await strataAsync(a.root, ["pull", name], { env: FAST });
      expect(big.code, big.stderr).toBe(4);
      expect(big.stderr).toMatch(/error\[REGISTRY_MANIFEST_TOO_BIG\]: 127\.0\.0\.1:\d+\/busybox:1: manifest larger than 4 MiB; refused/);
      mode = "chunked-big";
      sent = 0;
      const chunked = await strataAsync(a.root, ["pull", name], { env: FAST });
      expect(chunked.code, chunked.stderr).toBe(4);
      expect(chunked.stderr).toContain("manifest larger than 4 MiB");
      expect(blobFiles(a.root)).toEqual([]);

      // load: an archive blob whose bytes are not its name is refused the same way (exit 3), nothing stored.
      const good = join(a.own.in as string, "good.tar");
      expect(strata(seed.root, ["save", "--format", "oci-archive", "-o", good, "busybox:latest"]).code).toBe(0);
      const ex = extract();
      const out = pack();
      const collected = (async () => {
        const chunks: Buffer[] = [];
        for await (const c of out) chunks.push(c as Buffer);
        return Buffer.concat(chunks);
      })();
      ex.end(readFileSync(good));
      let flipped = "";
      for await (const entry of ex) {
        const parts: Buffer[] = [];
        for await (const c of entry) parts.push(c as Buffer);
        const body = Buffer.concat(parts);
        if (flipped === "" && entry.header.name.startsWith("blobs/sha256/") && body.length > 10_000) {
          body[body.length >> 1] = (body[body.length >> 1] as number) ^ 0x01;
          flipped = entry.header.name;
        }
        out.entry({ ...entry.header, size: body.length }, body);
      }
      out.finalize();
      const bad = join(a.own.in as string, "bad.tar");
      writeFileSync(bad, await collected);
      const l = strata(a.root, ["load", "-i", bad]);
      expect(l.code, l.stderr).toBe(3);
      expect(l.stderr).toContain(`blob ${flipped} does not match its name`);
      expect(strata(a.root, ["images", "-q"]).stdout).toBe("");
      expect(blobFiles(a.root)).toEqual([]);
      expectClean(a);
    } finally {
      a.cleanup();
      await proxy.close();
    }
  });

  it("case 18: a manifest with both manifests and layers, or whose mediaType is not its Content-Type: pull exits 3", async () => {
    let doc = "";
    let type = OCI_MANIFEST;
    const proxy = await startProxy(reg.port, (req, res) => ((req.url ?? "").endsWith("/manifests/1") ? serve(res, doc, type) : false));
    const a = arena("case18");
    try {
      const name = `${proxy.host}/busybox:1`;
      doc = JSON.stringify({ ...manifest, manifests: [{ mediaType: OCI_MANIFEST, digest: sha("x"), size: 1 }] });
      const both = await strataAsync(a.root, ["pull", name]);
      expect(both.code, both.stderr).toBe(3);
      expect(both.stderr).toMatch(/error\[DOCUMENT_AMBIGUOUS\]: 127\.0\.0\.1:\d+\/busybox:1: manifest sha256:[a-f0-9]{64}: has both manifests \(an index\) and layers \(a manifest\); refused/);

      doc = JSON.stringify(manifest);
      type = OCI_INDEX;
      const ct = await strataAsync(a.root, ["pull", name]);
      expect(ct.code, ct.stderr).toBe(3);
      expect(ct.stderr).toMatch(/error\[REGISTRY_CONTENT_TYPE\]: .*its mediaType is application\/vnd\.oci\.image\.manifest\.v1\+json, but the registry served it as application\/vnd\.oci\.image\.index\.v1\+json; refused/);

      // No mediaType of its own, served as an index, but a manifest's fields.
      const { mediaType: _drop, ...bare } = manifest;
      doc = JSON.stringify(bare);
      const bareCt = await strataAsync(a.root, ["pull", name]);
      expect(bareCt.code, bareCt.stderr).toBe(3);
      expect(bareCt.stderr).toContain("it is a manifest, but the registry served it as application/vnd.oci.image.index.v1+json");

      // The same document served as what it is: pulled.
      doc = JSON.stringify(manifest);
      type = OCI_MANIFEST;
      const ok = await strataAsync(a.root, ["pull", name]);
      expect(ok.code, ok.stderr).toBe(0);
      expectClean(a);
    } finally {
      a.cleanup();
      await proxy.close();
    }
  });

  it("case 18: OCI load refuses a manifest that is also an index, and stores nothing", async () => {
    const a = arena("case18-load", { own: ["in"] });
    try {
      const cfg = Buffer.from(await (await fetch(`http://${reg.host}/v2/busybox/blobs/${manifest.config.digest}`)).arrayBuffer());
      const lay = Buffer.from(await (await fetch(`http://${reg.host}/v2/busybox/blobs/${layer.digest}`)).arrayBuffer());
      const evil = Buffer.from(JSON.stringify({ ...manifest, manifests: [{ mediaType: OCI_MANIFEST, digest: manifest.config.digest, size: manifest.config.size }] }));
      const p = pack();
      const collected = (async () => {
        const chunks: Buffer[] = [];
        for await (const c of p) chunks.push(c as Buffer);
        return Buffer.concat(chunks);
      })();
      p.entry({ name: "oci-layout" }, JSON.stringify({ imageLayoutVersion: "1.0.0" }));
      p.entry({ name: `blobs/sha256/${manifest.config.digest.slice(7)}` }, cfg);
      p.entry({ name: `blobs/sha256/${layer.digest.slice(7)}` }, lay);
      p.entry({ name: `blobs/sha256/${sha(evil).slice(7)}` }, evil);
      p.entry({ name: "index.json" }, JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: OCI_MANIFEST, digest: sha(evil), size: evil.length, annotations: { "org.opencontainers.image.ref.name": "evil:1" } }] }));
      p.finalize();
      const file = join(a.own.in as string, "evil.tar");
      writeFileSync(file, await collected);
      const r = strata(a.root, ["load", "-i", file]);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain(`error[DOCUMENT_AMBIGUOUS]: manifest ${sha(evil)} in the archive: has both manifests (an index) and layers (a manifest); refused`);
      expect(blobFiles(a.root)).toEqual([]);
      expect(strata(a.root, ["images", "-q"]).stdout).toBe("");
      expectClean(a);
    } finally {
      a.cleanup();
    }
  });
});
