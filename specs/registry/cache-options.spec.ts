/**
 * Issue 18 item 1 (caches): `--cache-from` / `--cache-to` in buildx's syntax
 * (docs.docker.com/build/cache/backends/registry/ and .../local/): `type=registry,ref=REF`
 * with `mode=min|max` (min, the default, exports the result image's layers only; max every
 * stage's) and `compression=gzip|zstd`, a bare REF for `--cache-from` (a registry ref, as buildx
 * reads it), `type=local,dest=DIR` / `type=local,src=DIR` (an OCI image layout folder),
 * `ignore-error=true` (a failed export is a warning). Any unknown type, key or value is a USAGE
 * error (exit 2) as the command line is read, before the store is opened or anything built
 * (the issue: `--cache-to type=inline` ran the whole build, then failed and skipped the tag).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, imageDigests, startRegistry, type TestRegistry } from "./helpers.ts";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { expectBuildRefused } from "../helpers/usage.ts";

describe("--cache-from / --cache-to as buildx reads them", () => {
  let reg: TestRegistry;
  let root: string;
  let cleanup: () => void;
  const dir = tempDir("cacheopts");
  const ctx = join(dir, "ctx");
  let base: string;
  /** A fresh root that pulls the base from the registry, so its cache keys match the first root's. */
  const secondRoot = (name: string) => join(dir, name);
  beforeAll(async () => {
    reg = await startRegistry();
    ({ root, cleanup } = storeWithBusybox("cacheopts"));
    base = `${reg.host}/cacheopts/busybox:latest`;
    strata(root, ["tag", "busybox:latest", base]);
    expect(strata(root, ["push", "-q", base]).code).toBe(0);
    mkdirSync(ctx);
    // Two stages: mode=min exports the result's layers (the last stage's), mode=max the builder's too.
    writeFileSync(join(ctx, "Dockerfile"), `FROM ${base} AS builder\nRUN echo built > /artifact\nFROM ${base}\nCOPY --from=builder /artifact /artifact\nRUN echo final > /final\n`);
  });
  afterAll(async () => {
    await reg.stop();
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [["--cache-to", "type=inline"], "--cache-to type=inline: the cache goes with a pushed image; add --push"],
    [["--cache-to", "type=inline,mode=max"], 'unknown key "mode"'],
    [["--cache-to", "type=gha"], "type=gha is not supported by Strata"],
    [["--cache-from", "type=floppy,src=x"], 'unknown cache type "floppy"'],
    [["--cache-to", "type=registry,ref=localhost/c:1,mode=mid"], 'invalid mode "mid"'],
    [["--cache-to", "type=registry,ref=localhost/c:1,compression=brotli"], 'invalid compression "brotli"'],
    [["--cache-to", "type=registry,ref=localhost/c:1,bogus=1"], 'unknown key "bogus"'],
    [["--cache-to", "type=registry,ref=localhost/c:1,ignore-error=maybe"], 'invalid ignore-error "maybe"'],
    [["--cache-to", "type=local"], "missing dest="],
    [["--cache-to", "type=registry"], "missing ref="],
    [["--cache-from", "type=local"], "missing src="],
    [["--cache-from", "type=local,src=x,mode=max"], 'unknown key "mode"'],
  ])("build %j is a USAGE error before any work", (args, message) => {
    expectBuildRefused(join(dir, "never-opened"), [...args, "-t", "app:1"], ctx, message);
  });

  it("type=registry,mode=max,compression=zstd exports every stage, zstd layers; a bare REF reads it back", () => {
    const cache = `${reg.host}/cacheopts/cache:max`;
    const first = strata(root, ["build", "--progress", "plain", "-t", "max:1", "--cache-to", `type=registry,ref=${cache},mode=max,compression=zstd`, ctx]);
    expect(first.code, first.stderr).toBe(0);
    // Three steps' records; two layers, as the builder's RUN and the COPY of its /artifact make the same tar.
    expect(first.stderr).toMatch(/cache exported to .*: 3 records, 2 layers/);
    // Version 2 (registry/cache-format.ts): a record per tag `max-<key hex>`; the layers are in the records' manifests.
    const tags = (JSON.parse(spawnSync("skopeo", ["list-tags", "--tls-verify=false", `docker://${reg.host}/cacheopts/cache`], { encoding: "utf8" }).stdout) as { Tags: string[] }).Tags.filter((t) => /^max-[a-f0-9]{64}$/.test(t));
    expect(tags).toHaveLength(3);
    const layers = tags.flatMap((t) => (JSON.parse(spawnSync("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${reg.host}/cacheopts/cache:${t}`], { encoding: "utf8" }).stdout) as { layers: { mediaType: string }[] }).layers);
    expect(layers.length).toBeGreaterThan(0);
    expect(layers.map((l) => l.mediaType)).toEqual(layers.map(() => "application/vnd.oci.image.layer.v1.tar+zstd"));
    const second = secondRoot("max-second");
    const b = strata(second, ["build", "--progress", "plain", "-t", "max:1", "--cache-from", cache, ctx]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/0 steps run, 3 cached/);
    expect(imageDigests(second, "max:1")?.id).toBe(imageDigests(root, "max:1")?.id);
  });

  it("type=inline: the cache goes in the pushed image's config; --cache-from IMAGE finds it (specs/registry/inline-cache.spec.ts has more)", () => {
    const image = `${reg.host}/cacheopts/app:inline`;
    const first = strata(root, ["build", "--progress", "plain", "--push", "-t", image, "--cache-to", "type=inline", ctx]);
    expect(first.code, first.stderr).toBe(0);
    // In the image itself, under BuildKit's key; nothing beside it in its repository.
    const config = JSON.parse(spawnSync("skopeo", ["inspect", "--raw", "--config", "--tls-verify=false", `docker://${image}`], { encoding: "utf8" }).stdout) as Record<string, unknown>;
    expect(typeof config["moby.buildkit.cache.v0"]).toBe("string");
    const tags = spawnSync("skopeo", ["list-tags", "--tls-verify=false", `docker://${reg.host}/cacheopts/app`], { encoding: "utf8" });
    expect((JSON.parse(tags.stdout) as { Tags: string[] }).Tags).toEqual(["inline"]);
    const second = strata(secondRoot("inline-second"), ["build", "--progress", "plain", "--cache-from", image, ctx]);
    expect(second.code, second.stderr).toBe(0);
    // mode=min, as BuildKit's inline cache: the result image's layers only, the builder stage runs again.
    expect(second.stderr).toMatch(/1 steps run, 2 cached/);
  });

  it("type=local dest/src round-trips through an OCI layout folder; mode=min (the default) leaves the builder stage out", () => {
    const min = join(dir, "cache-min");
    const max = join(dir, "cache-max");
    expect(strata(root, ["build", "-q", "--cache-to", `type=local,dest=${min}`, ctx]).code).toBe(0);
    const m = strata(root, ["build", "--progress", "plain", "--cache-to", `type=local,dest=${max},mode=max`, ctx]);
    expect(m.code, m.stderr).toBe(0);
    // An OCI image layout: the cache's manifest ("latest") and one per record (ref.name latest-<key hex>), each blob there.
    expect(JSON.parse(readFileSync(join(max, "oci-layout"), "utf8"))).toEqual({ imageLayoutVersion: "1.0.0" });
    const index = JSON.parse(readFileSync(join(max, "index.json"), "utf8")) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    expect(index.manifests.map((m) => m.annotations["org.opencontainers.image.ref.name"]?.replace(/-[a-f0-9]{64}$/, "-KEY")).sort()).toEqual(["latest", "latest-KEY", "latest-KEY", "latest-KEY"]);
    for (const m of index.manifests) expect(existsSync(join(max, "blobs/sha256", m.digest.slice(7)))).toBe(true);

    const withMin = strata(secondRoot("min-second"), ["build", "--progress", "plain", "--cache-from", `type=local,src=${min}`, ctx]);
    expect(withMin.code, withMin.stderr).toBe(0);
    expect(withMin.stderr).toMatch(/1 steps run, 2 cached/);
    const withMax = strata(secondRoot("max-local-second"), ["build", "--progress", "plain", "--cache-from", `type=local,src=${max}`, ctx]);
    expect(withMax.code, withMax.stderr).toBe(0);
    expect(withMax.stderr).toMatch(/0 steps run, 3 cached/);
  });

  it("a --cache-from that cannot be imported (not a cache, unreachable) is a warning, as in BuildKit; the build goes on", async () => {
    const closed = `127.0.0.1:${await freePort()}/cacheopts/cache:x`;
    const env = { STRATA_REGISTRY_RETRIES: "1", STRATA_REGISTRY_BACKOFF_MS: "1" };
    // moby/buildkit#954, docker/buildx#1090: "This error should be non-fatal and your build should continue on."
    const r = strata(root, ["build", "--progress", "plain", "-t", "imported:1", "--cache-from", base, "--cache-from", `type=registry,ref=${closed}`, ctx], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`warning: --cache-from ${base.replace(/[.]/g, "\\.")}: not imported \\(.*is an image without a Strata inline cache`));
    expect(r.stderr).toContain(`warning: --cache-from ${closed}: not imported (`);
    expect(imageDigests(root, "imported:1")).toBeDefined();
  });

  it("ignore-error=true: an export that fails is a warning; the build succeeds and is tagged", async () => {
    const closed = `127.0.0.1:${await freePort()}/cacheopts/cache:x`;
    const env = { STRATA_REGISTRY_RETRIES: "1", STRATA_REGISTRY_BACKOFF_MS: "1" };
    const r = strata(root, ["build", "-q", "-t", "ignored:1", "--cache-to", `type=registry,ref=${closed},ignore-error=true`, ctx], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: --cache-to ${closed}: export failed, ignored (ignore-error=true)`);
    expect(imageDigests(root, "ignored:1")).toBeDefined();
    const failed = strata(root, ["build", "-q", "-t", "failed:1", "--cache-to", `type=registry,ref=${closed}`, ctx], { env });
    expect(failed.code).not.toBe(0);
  });
});
