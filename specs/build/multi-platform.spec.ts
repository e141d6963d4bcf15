/**
 * Issue 21, a multi-platform image seen from explain, the build's progress, inspect, history, run
 * and create. The Dockerfile has a `FROM --platform=$BUILDPLATFORM` stage (this machine's busybox,
 * its RUN on this machine) that every platform's build shares, and a target stage per platform
 * (the ADD of its TARGETARCH's busybox rootfs, its RUN emulated for arm64). explain --platform
 * a,b plans each platform under its heading and lists the shared stage's layers as built once
 * (text, json, dot); the build names each step with its platform as buildx does, numbers steps on
 * across platforms and shows the shared stage CACHED for the second platform. inspect, history,
 * run and create --platform read that platform's child of the index (a platform it lacks is
 * refused naming those it has); run without --platform runs this machine's child, and a foreign
 * single-platform image with docker's warning. One name, one `images` row; verify is ok; a
 * prune keeps both platforms runnable, and rmi / image prune -a of the name free the children.
 * Needs root on amd64 with qemu-user-static's arm64 emulator registered, as emulated.spec does.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExplainPlanSchema, ExplainPlatformsSchema } from "../../compiler/explain/schema.ts";
import { ARM64, emulationReady, ROOTFS_STAGE, writeRootfsTarballs } from "../helpers/platforms.ts";
import { strata, tempDir } from "../helpers/strata.ts";

const ready = emulationReady("multi-platform.spec");

const BOTH = "linux/amd64,linux/arm64";
const NAME = `mp-spec:${process.pid}`;

describe.skipIf(!ready)("a multi-platform image: explain, progress, inspect, run", () => {
  let root: string;
  let ctx: string;
  const run = (args: readonly string[]) => strata(root, args);
  /** The blob file of a digest in the store. */
  const blob = (digest: string) => join(root, "blobs", "sha256", digest.replace("sha256:", ""));
  /** The name's index digest and its children's manifest digests. */
  const indexOf = (name: string): { index: string; children: string[] } => {
    const index = run(["inspect", "-f", "{{.Descriptor.digest}}", name]).stdout.trim();
    const children = (JSON.parse(readFileSync(blob(index), "utf8")) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest);
    return { index, children };
  };
  const buildBoth = (name: string) => run(["build", "--progress", "plain", "--platform", BOTH, "-t", name, ctx]);

  beforeAll(() => {
    root = tempDir("multi-platform-store");
    ctx = tempDir("multi-platform-ctx");
    writeRootfsTarballs(ctx, { foreign: [ARM64] });
    writeFileSync(
      join(ctx, "Dockerfile"),
      [
        "FROM --platform=$BUILDPLATFORM scratch AS build",
        "ADD rootfs-amd64.tar /",
        "RUN uname -m > /built-on",
        ...ROOTFS_STAGE,
        "FROM base",
        "COPY --from=build /built-on /built-on",
        'RUN echo "$(uname -m)" > /machine',
        "",
      ].join("\n"),
    );
  }, 120_000);
  afterAll(() => {
    spawnSync("rm", ["-rf", root, ctx]);
  });

  it("explain --platform a,b: each platform's plan under its heading, then the BUILDPLATFORM stage's layers as shared and each platform's own count", () => {
    const e = run(["explain", "--platform", BOTH, ctx]);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/^platform linux\/amd64:\n\ntarget: 2\n/);
    expect(e.stdout).toContain("\nplatform linux/arm64:\n\ntarget: 2\n");
    const shared = e.stdout.slice(e.stdout.indexOf("shared by linux/amd64, linux/arm64:"));
    expect(shared).toMatch(/^shared by linux\/amd64, linux\/arm64:\n {2}2 layers alike in every platform's plan \(the same cache key\), built once:\n {2}stage 0 \(build\) {2}[0-9a-f]{12}\n {6}\S*Dockerfile:2 {2}ADD rootfs-amd64\.tar \/\n {2}stage 0 \(build\) {2}[0-9a-f]{12}\n {6}\S*Dockerfile:3 {2}RUN uname -m > \/built-on\n/);
    expect(shared).not.toContain("stage 1");
    expect(shared).toContain("own layers (built for that platform alone): linux/amd64 3, linux/arm64 3\n");
  });

  it("explain --platform a,b --format json is { platforms: [{ platform, plan, ownLayers }], shared }; one platform keeps the plain plan; dot has a cluster per platform", () => {
    const e = run(["explain", "--platform", BOTH, "--format", "json", ctx]);
    expect(e.code, e.stderr).toBe(0);
    const r = ExplainPlatformsSchema.parse(JSON.parse(e.stdout));
    expect(r.platforms.map((p) => [p.platform, p.ownLayers])).toEqual([
      ["linux/amd64", 3],
      ["linux/arm64", 3],
    ]);
    expect(r.shared.map((s) => [s.stage, s.stageName, s.instructions.map((i) => i.line)])).toEqual([
      [0, "build", [2]],
      [0, "build", [3]],
    ]);
    expect(r.shared.map((s) => s.cacheKey)).toEqual(r.platforms[1]?.plan.layers.slice(0, 2).map((l) => l.cacheKey));
    // The target stage's layers differ: each platform ADDs its own rootfs.
    expect(r.platforms[0]?.plan.layers[2]?.cacheKey).not.toBe(r.platforms[1]?.plan.layers[2]?.cacheKey);
    const one = run(["explain", "--platform", "linux/arm64", "--format", "json", ctx]);
    expect(ExplainPlanSchema.strict().parse(JSON.parse(one.stdout)).version).toBe(1);
    const dot = run(["explain", "--platform", BOTH, "--format", "dot", ctx]);
    expect(dot.code, dot.stderr).toBe(0);
    expect(dot.stdout).toMatch(/subgraph cluster_p0 \{\n {4}label="linux\/amd64";\n {4}subgraph cluster_p0_0 \{/);
    expect(dot.stdout).toContain('subgraph cluster_p1 {\n    label="linux/arm64";');
    expect(dot.stdout).toContain("p1_s0 -> p1_l0;");
  });

  it("the build names each step with its platform, numbers steps on across platforms, and the second platform finds the shared stage CACHED", () => {
    const b = buildBoth(NAME);
    expect(b.code, b.stderr).toBe(0);
    const starts = [...b.stderr.matchAll(/^#(\d+) \[(\S+) ([^\]]+)\] (.*)$/gm)].map((m) => ({ id: Number(m[1]), platform: m[2], name: m[3], text: m[4] }));
    expect(starts.map((s) => `${s.platform} ${s.name}`).sort()).toEqual(
      ["build 1/2", "build 2/2", "base 1/1", "stage-2 1/2", "stage-2 2/2"].flatMap((n) => [`linux/amd64 ${n}`, `linux/arm64 ${n}`]).sort(),
    );
    const amd = starts.filter((s) => s.platform === "linux/amd64").map((s) => s.id);
    const arm = starts.filter((s) => s.platform === "linux/arm64").map((s) => s.id);
    expect(Math.min(...arm)).toBeGreaterThan(Math.max(...amd));
    expect(new Set(starts.map((s) => s.id)).size).toBe(starts.length);
    const armRun = starts.find((s) => s.platform === "linux/arm64" && s.name === "build 2/2");
    expect(armRun?.text).toBe("RUN uname -m > /built-on");
    expect(b.stderr).toMatch(new RegExp(`^#${armRun?.id} CACHED$`, "m"));
    const amdRun = starts.find((s) => s.platform === "linux/amd64" && s.name === "build 2/2");
    expect(b.stderr).toMatch(new RegExp(`^#${amdRun?.id} DONE`, "m"));
    // Once built, build --explain predicts every layer of both platforms a hit.
    const e = run(["build", "--explain", "--platform", BOTH, "--format", "json", ctx]);
    const r = ExplainPlatformsSchema.parse(JSON.parse(e.stdout));
    expect(r.platforms.flatMap((p) => p.plan.layers.map((l) => l.cache))).toEqual(Array(10).fill("hit"));
  }, 120_000);

  it("inspect and history --platform read that platform's image; without, this machine's; the Descriptor is the index", () => {
    const arm = JSON.parse(run(["inspect", "--platform", "linux/arm64", NAME]).stdout)[0] as { Id: string; Architecture: string; Descriptor: { mediaType: string } };
    expect(arm).toMatchObject({ Architecture: "arm64", Descriptor: { mediaType: "application/vnd.oci.image.index.v1+json" } });
    const amd = JSON.parse(run(["image", "inspect", NAME]).stdout)[0] as { Id: string; Architecture: string };
    expect(amd.Architecture).toBe("amd64");
    expect(amd.Id).not.toBe(arm.Id);
    expect(run(["history", "--platform", "linux/arm64", "-q", "--no-trunc", NAME]).stdout.split("\n")[0]).toBe(arm.Id);
    expect(run(["image", "history", "-q", "--no-trunc", NAME]).stdout.split("\n")[0]).toBe(amd.Id);
    const missing = run(["inspect", "--platform", "linux/s390x", NAME]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`image ${NAME} was found but does not provide the platform linux/s390x (it has linux/amd64, linux/arm64)`);
  });

  it("run --platform linux/arm64 runs the arm64 child (its BUILDPLATFORM file made on amd64), without --platform this machine's; create --platform too", () => {
    const arm = run(["run", "--rm", "--platform", "linux/arm64", NAME, "cat", "/machine", "/built-on"]);
    expect(arm.code, arm.stderr).toBe(0);
    expect(arm.stdout).toBe("aarch64\nx86_64\n");
    expect(arm.stderr).not.toContain("WARNING");
    const amd = run(["run", "--rm", NAME, "uname", "-m"]);
    expect(amd.stdout).toBe("x86_64\n");
    expect(amd.stderr).not.toContain("WARNING");
    const ctr = `mp-spec-${process.pid}`;
    const c = run(["create", "--platform", "linux/arm64", "--name", ctr, NAME, "uname", "-m"]);
    expect(c.code, c.stderr).toBe(0);
    expect(run(["start", "-a", ctr]).stdout).toBe("aarch64\n");
    expect(run(["rm", ctr]).code).toBe(0);
    const never = run(["run", "--rm", "--pull", "never", "--platform", "linux/s390x", NAME, "true"]);
    expect(never.code).toBe(125);
    expect(never.stderr).toContain("does not provide the platform linux/s390x (it has linux/amd64, linux/arm64)");
  }, 60_000);

  it("one images row for the name; verify ok; a prune keeps both platforms runnable; rmi of the name frees the index and its children", () => {
    const rows = run(["images", "--format", "{{.Repository}}:{{.Tag}}"]).stdout.split("\n").filter((l) => l === NAME);
    expect(rows).toHaveLength(1);
    expect(run(["system", "verify"]).code).toBe(0);
    const { index, children } = indexOf(NAME);
    expect(children).toHaveLength(2);
    expect(run(["image", "prune", "-f"]).code).toBe(0);
    expect(run(["system", "prune", "-f"]).code).toBe(0);
    for (const d of [index, ...children]) expect(existsSync(blob(d)), d).toBe(true);
    expect(run(["run", "--rm", "--platform", "linux/arm64", NAME, "uname", "-m"]).stdout).toBe("aarch64\n");
    expect(run(["run", "--rm", NAME, "uname", "-m"]).stdout).toBe("x86_64\n");
    expect(run(["system", "verify"]).code).toBe(0);
    const rmi = run(["rmi", NAME]);
    expect(rmi.code, rmi.stderr).toBe(0);
    for (const d of [index, ...children]) expect(existsSync(blob(d)), d).toBe(false);
    expect(run(["system", "verify"]).code).toBe(0);
  }, 60_000);

  it("image prune -a frees an index's children too", () => {
    const name = `mp-spec-prune:${process.pid}`;
    expect(buildBoth(name).code).toBe(0);
    const { index, children } = indexOf(name);
    const p = run(["image", "prune", "-a", "-f"]);
    expect(p.code, p.stderr).toBe(0);
    for (const d of [index, ...children]) expect(existsSync(blob(d)), d).toBe(false);
    expect(run(["system", "verify"]).code).toBe(0);
  }, 120_000);

  it("run and create without --platform of a foreign single-platform image say docker's warning on stderr; with --platform, none", () => {
    const name = `mp-spec-arm:${process.pid}`;
    expect(run(["build", "-q", "--platform", "linux/arm64", "-t", name, ctx]).code).toBe(0);
    const warning = "WARNING: The requested image's platform (linux/arm64) does not match the detected host platform (linux/amd64) and no specific platform was requested\n";
    const r = run(["run", "--rm", name, "uname", "-m"]);
    expect(r.stdout).toBe("aarch64\n");
    expect(r.stderr).toContain(warning);
    const c = run(["create", name, "true"]);
    expect(c.stderr).toContain(warning);
    run(["rm", c.stdout.trim()]);
    const asked = run(["run", "--rm", "--platform", "linux/arm64", name, "uname", "-m"]);
    expect(asked.stdout).toBe("aarch64\n");
    expect(asked.stderr).not.toContain("WARNING");
  }, 120_000);
});
