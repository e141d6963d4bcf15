import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

function manifestDigest(root: string, ref: string): string {
  const r = spawnSync("skopeo", ["inspect", "--format", "{{.Digest}}", `oci:${root}:${ref}`], { encoding: "utf8" });
  return r.stdout.trim();
}

describe("SOURCE_DATE_EPOCH", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("sde"));
    ctx = tempDir("sde-ctx");
    writeFileSync(
      join(ctx, "Dockerfile"),
      ["FROM busybox:latest", "ARG V=1", "RUN echo $V > /v && mkdir -p /d && touch /d/f", "WORKDIR /app", "COPY file.txt ./", 'CMD ["cat", "/app/file.txt"]', ""].join("\n"),
    );
    writeFileSync(join(ctx, "file.txt"), "same bytes\n");
  });
  afterAll(() => cleanup());

  it("two builds from scratch give identical image digests", () => {
    const env = { SOURCE_DATE_EPOCH: "1700000000" };
    const a = strata(root, ["build", "--no-cache", "-t", "sde:a", ctx], { env });
    expect(a.code, a.stderr).toBe(0);
    // A second later, with every file touched: times must not leak into the image.
    spawnSync("sleep", ["1.1"]);
    spawnSync("touch", [join(ctx, "file.txt")]);
    const b = strata(root, ["build", "--no-cache", "-t", "sde:b", ctx], { env });
    expect(b.code, b.stderr).toBe(0);
    expect(manifestDigest(root, "sde:a")).toMatch(/^sha256:/);
    expect(manifestDigest(root, "sde:b")).toBe(manifestDigest(root, "sde:a"));
    const cfg = JSON.parse(spawnSync("skopeo", ["inspect", "--raw", "--config", `oci:${root}:sde:a`], { encoding: "utf8" }).stdout);
    expect(cfg.created).toBe("2023-11-14T22:13:20.000Z");
  });

  it("without it, the same two builds differ (the spec can tell)", () => {
    const a = strata(root, ["build", "--no-cache", "-t", "sde:c", ctx]);
    spawnSync("sleep", ["1.1"]);
    const b = strata(root, ["build", "--no-cache", "-t", "sde:d", ctx]);
    expect(a.code + b.code).toBe(0);
    expect(manifestDigest(root, "sde:c")).not.toBe(manifestDigest(root, "sde:d"));
  });
});
