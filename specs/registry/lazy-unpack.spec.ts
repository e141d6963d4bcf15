import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { imageDigests, startRegistry, type TestRegistry } from "./helpers.ts";

/** The first bytes of a stored blob. */
function head(root: string, digest: string, n = 2): Buffer {
  const fd = openSync(join(root, "blobs/sha256", digest.slice(7)), "r");
  try {
    const b = Buffer.alloc(n);
    readSync(fd, b, 0, n, 0);
    return b;
  } finally {
    closeSync(fd);
  }
}

const sha = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** Puts a blob and a manifest into the test registry by hand (the distribution API, plain fetch). */
async function putImage(host: string, repo: string, tag: string, config: Buffer, layers: unknown[]): Promise<void> {
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: "POST" });
  expect(start.status).toBe(202);
  const loc = new URL(start.headers.get("location") as string, `http://${host}`);
  loc.searchParams.set("digest", sha(config));
  expect((await fetch(loc, { method: "PUT", body: config, headers: { "content-type": "application/octet-stream" } })).status).toBe(201);
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha(config), size: config.length }, layers });
  const put = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, { method: "PUT", body: manifest, headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" } });
  expect(put.status).toBe(201);
}

describe("a pulled image keeps the registry's compressed layers until first use", () => {
  let reg: TestRegistry;
  let root: string;
  let cleanup: () => void;
  const others: string[] = [];
  beforeAll(async () => {
    reg = await startRegistry();
    ({ root, cleanup } = storeWithBusybox("lazy"));
    expect(strata(root, ["tag", "busybox:latest", `${reg.host}/lazy:1`]).code).toBe(0);
    expect(strata(root, ["push", `${reg.host}/lazy:1`]).code).toBe(0);
  });
  afterAll(async () => {
    await reg.stop();
    cleanup();
    for (const r of others) rmSync(r, { recursive: true, force: true });
  });

  it("stores the gzip blob as sent and unpacks it, checked against the diffID, when a container needs it", () => {
    const other = tempDir("lazy-pull");
    others.push(other);
    expect(strata(other, ["pull", `${reg.host}/lazy:1`]).code).toBe(0);
    const d = imageDigests(other, `${reg.host}/lazy:1`);
    const { layers } = JSON.parse(readFileSync(join(other, "blobs/sha256", (d?.manifest ?? "").slice(7)), "utf8")) as { layers: { mediaType: string; digest: string }[] };
    expect(layers[0]?.mediaType).toBe("application/vnd.oci.image.layer.v1.tar+gzip");
    expect([...head(other, layers[0]?.digest as string)]).toEqual([0x1f, 0x8b]);
    // Nothing unpacked yet.
    expect(existsSync(join(other, "snapshots"))).toBe(false);
    expect(strata(other, ["system", "verify"]).stdout).toBe("store verified: ok\n");
    expect(strata(other, ["run", "--rm", `${reg.host}/lazy:1`, "cat", "/etc/passwd"]).code).toBe(0);
  });

  it("a config whose diffID the layer does not hash to: pulled, then refused at unpack, nothing unpacked", async () => {
    const d = imageDigests(root, "busybox:latest");
    const config = JSON.parse(readFileSync(join(root, "blobs/sha256", (d?.id ?? "").slice(7)), "utf8"));
    const wrong = `sha256:${"0".repeat(64)}`;
    config.rootfs.diff_ids = [wrong];
    const pushed = JSON.parse(
      await (await fetch(`http://${reg.host}/v2/lazy/manifests/1`, { headers: { accept: "application/vnd.oci.image.manifest.v1+json" } })).text(),
    ) as { layers: unknown[] };
    await putImage(reg.host, "lazy", "bad", Buffer.from(JSON.stringify(config)), pushed.layers);
    const other = tempDir("lazy-bad");
    others.push(other);
    expect(strata(other, ["pull", `${reg.host}/lazy:bad`]).code).toBe(0);
    const run = strata(other, ["run", "--rm", `${reg.host}/lazy:bad`, "true"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(new RegExp(`content hashes to sha256:[a-f0-9]{64}, expected diffID ${wrong}`));
    expect(existsSync(join(other, "snapshots", "0".repeat(64)))).toBe(false);
    // verify decompresses kept layers and finds it too.
    const verify = strata(other, ["system", "verify"]);
    expect(verify.code).toBe(3);
    expect(verify.stdout).toMatch(new RegExp(`lazy:bad: layer sha256:[a-f0-9]{64} decompresses to sha256:[a-f0-9]{64}, but the config says diffID ${wrong}`));
  });
});
