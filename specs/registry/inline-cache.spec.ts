/**
 * Issue 18 (h18c item 6): `--cache-to type=inline` as BuildKit's: the cache is in the image's own
 * config, under `moby.buildkit.cache.v0` (base64 of JSON, BuildKit's `layers`/`records` lists
 * empty and Strata's records beside them: registry/cache-inline.ts), so `--cache-from IMAGE`
 * reads it from the image; nothing is pushed beside the image. Two store roots: the first
 * builds and pushes with the inline cache, the second builds with `--cache-from` the image and
 * runs nothing, also for RUNs merged into one layer (their own layers are blobs the push uploads).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { startRegistry, type TestRegistry } from "./helpers.ts";

function skopeo(args: readonly string[]): string {
  const r = spawnSync("skopeo", [...args.slice(0, -1), "--tls-verify=false", args.at(-1) as string], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`skopeo ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

describe("--cache-to type=inline", () => {
  let reg: TestRegistry;
  let root = "";
  let cleanup = () => {};
  const dir = tempDir("inline-cache");
  const ctx = join(dir, "ctx");
  let image = "";

  beforeAll(async () => {
    reg = await startRegistry();
    ({ root, cleanup } = storeWithBusybox("inline-cache"));
    // The base comes from the registry in both roots, so their cache keys (which name its ID) agree.
    const base = `${reg.host}/inline/busybox:latest`;
    expect(strata(root, ["tag", "busybox:latest", base]).code).toBe(0);
    expect(strata(root, ["push", "-q", base]).code).toBe(0);
    mkdirSync(ctx);
    writeFileSync(join(ctx, "f"), "context file\n");
    // Two RUNs merged into one image layer, then a COPY of its own layer.
    writeFileSync(join(ctx, "Dockerfile"), `FROM ${base}\nRUN echo one > /one\nRUN echo two > /two\nCOPY f /f\n`);
    image = `${reg.host}/inline/app:1`;
  }, 120_000);
  afterAll(async () => {
    await reg.stop();
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("puts the cache in the pushed image's config under moby.buildkit.cache.v0; the local image is that image", () => {
    const b = strata(root, ["build", "--progress", "plain", "--push", "-t", image, "--cache-to", "type=inline", ctx]);
    expect(b.code, b.stderr).toBe(0);
    const config = JSON.parse(skopeo(["inspect", "--raw", "--config", `docker://${image}`])) as Record<string, unknown> & { rootfs: { diff_ids: string[] } };
    const inline = JSON.parse(Buffer.from(config["moby.buildkit.cache.v0"] as string, "base64").toString("utf8")) as {
      layers: unknown[];
      records: unknown[];
      "dev.strata.cache": { version: number; records: Record<string, { diffId: string | null; digest?: string }> };
    };
    // BuildKit's own lists are there, empty: BuildKit parses it and finds nothing of its own.
    expect(inline.layers).toEqual([]);
    expect(inline.records).toEqual([]);
    const records = Object.values(inline["dev.strata.cache"].records);
    // Two RUNs, the COPY, and the merged layer of the two RUNs.
    expect(records).toHaveLength(4);
    // Records of the image's own layers name no blob; the merged RUNs' own layers name theirs.
    const own = records.filter((r) => r.diffId !== null && config.rootfs.diff_ids.includes(r.diffId));
    expect(own.map((r) => r.digest)).toEqual([undefined, undefined]);
    expect(records.filter((r) => !own.includes(r)).map((r) => r.digest)).toEqual([expect.stringMatching(/^sha256:[a-f0-9]{64}$/), expect.stringMatching(/^sha256:[a-f0-9]{64}$/)]);
    // The image built here is the one pushed: its ID is the pushed config's digest.
    const manifest = JSON.parse(skopeo(["inspect", "--raw", `docker://${image}`])) as { config: { digest: string } };
    expect(strata(root, ["inspect", "-f", "{{.Id}}", image]).stdout).toBe(`${manifest.config.digest}\n`);
    // Nothing beside the image: its repository has its tag only.
    expect((JSON.parse(skopeo(["list-tags", `docker://${reg.host}/inline/app`])) as { Tags: string[] }).Tags).toEqual(["1"]);
  });

  it("a second store root builds with --cache-from the image and runs nothing: the same layers", () => {
    const second = join(dir, "second");
    const b = strata(second, ["build", "--progress", "plain", "-t", "again:1", "--cache-from", image, ctx]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/0 steps run, 3 cached/);
    expect(b.stderr).toMatch(/Pulling cached layer from /);
    const layers = (root2: string, ref: string) => strata(root2, ["inspect", "-f", "{{json .RootFS.Layers}}", ref]).stdout;
    expect(layers(second, "again:1")).toBe(layers(root, image));
    expect(strata(second, ["run", "--rm", "again:1", "cat", "/one", "/two", "/f"]).stdout).toBe("one\ntwo\ncontext file\n");
    expect(strata(second, ["system", "verify"]).stdout).toBe("store verified: ok\n");
  });

  it("an image pushed without an inline cache is a warning and the build runs", () => {
    const plain = `${reg.host}/inline/plain:1`;
    expect(strata(root, ["tag", "busybox:latest", plain]).code).toBe(0);
    expect(strata(root, ["push", "-q", plain]).code).toBe(0);
    const b = strata(join(dir, "third"), ["build", "--progress", "plain", "--cache-from", plain, ctx]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain(`warning: --cache-from ${plain}: not imported (${plain} is an image without a Strata inline cache (pushed without --cache-to type=inline)); building without it`);
    expect(b.stderr).toMatch(/3 steps run, 0 cached/);
  });
});
