/**
 * Issue 18 acceptance: docker/build-push-action's argument list replayed against a registry on
 * 127.0.0.1. The action (src/context.ts getBuildArgs) runs
 * `docker buildx build --iidfile F --label … --metadata-file F --cache-from type=registry,ref=R
 * --cache-to type=registry,ref=R,mode=max --push -t TAG CONTEXT`. Run twice, on two machines
 * (store roots): the first pushes the image and the cache, the second builds from the cache and
 * pushes the same image ID; the ID file and buildx's metadata file name what was pushed.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRegistry, type TestRegistry } from "./helpers.ts";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

describe("docker/build-push-action's build arguments", () => {
  let reg: TestRegistry;
  let root: string;
  let cleanup: () => void;
  const dir = tempDir("bpa");
  const ctx = join(dir, "ctx");
  beforeAll(async () => {
    reg = await startRegistry();
    ({ root, cleanup } = storeWithBusybox("bpa"));
    const base = `${reg.host}/bpa/busybox:latest`;
    strata(root, ["tag", "busybox:latest", base]);
    expect(strata(root, ["push", "-q", base]).code).toBe(0);
    mkdirSync(ctx);
    writeFileSync(join(ctx, "Dockerfile"), `FROM ${base} AS build\nRUN echo built > /out\nFROM ${base}\nCOPY --from=build /out /out\nCMD ["cat", "/out"]\n`);
  });
  afterAll(async () => {
    await reg.stop();
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("pushes the image and a mode=max cache; a second machine builds from the cache and pushes the same image", async () => {
    const tag = `${reg.host}/bpa/app:latest`;
    const cache = `${reg.host}/bpa/app:buildcache`;
    const iid = join(dir, "iidfile");
    const meta = join(dir, "metadata.json");
    const label = "org.opencontainers.image.source=https://example.test/app";
    const args = ["build", "--progress", "plain", "--iidfile", iid, "--label", label, "--metadata-file", meta, "--cache-from", `type=registry,ref=${cache}`, "--cache-to", `type=registry,ref=${cache},mode=max`, "--push", "-t", tag, ctx];
    const first = strata(root, args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`cache ${cache}: not found; building without it`);
    expect(first.stderr).toMatch(/cache exported to .*: 2 records/);
    const pushed = spawnSync("skopeo", ["inspect", "--tls-verify=false", `docker://${tag}`], { encoding: "utf8" });
    expect(pushed.status, pushed.stderr).toBe(0);
    const rawConfig = spawnSync("skopeo", ["inspect", "--raw", "--config", "--tls-verify=false", `docker://${tag}`], { encoding: "utf8" }).stdout;
    const config = JSON.parse(rawConfig) as { config: { Cmd: string[]; Labels: Record<string, string> } };
    expect(config.config.Cmd).toEqual(["cat", "/out"]);
    expect(config.config.Labels["org.opencontainers.image.source"]).toBe("https://example.test/app");
    const digest1 = (JSON.parse(pushed.stdout) as { Digest: string }).Digest;
    // The ID file holds the image ID (the config's digest), the metadata file what was pushed.
    const { createHash } = await import("node:crypto");
    const configDigest = `sha256:${createHash("sha256").update(rawConfig).digest("hex")}`;
    expect(readFileSync(iid, "utf8")).toBe(configDigest);
    const metadata = JSON.parse(readFileSync(meta, "utf8")) as Record<string, unknown>;
    expect(metadata["containerimage.digest"]).toBe(digest1);
    expect(metadata["containerimage.config.digest"]).toBe(configDigest);
    expect(metadata["image.name"]).toBe(tag);

    const second = join(dir, "second");
    const again = strata(second, args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/0 steps run, 2 cached/);
    const digest2 = (JSON.parse(spawnSync("skopeo", ["inspect", "--tls-verify=false", `docker://${tag}`], { encoding: "utf8" }).stdout) as { Digest: string }).Digest;
    expect(digest2).toBe(digest1);
    expect(readFileSync(iid, "utf8")).toBe(configDigest);
  });
});
