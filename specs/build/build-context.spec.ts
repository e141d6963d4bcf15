/**
 * Issue 18 item 1: `build --build-context NAME=VALUE` as buildx documents it
 * (docs.docker.com/reference/cli/docker/buildx/build/#build-context): `NAME=docker-image://REF`
 * replaces the image or stage NAME wherever FROM or COPY --from= names it ("the named context
 * overrides a stage of that name", BuildKit's dockerfile2llb), and `NAME=DIR` is a local
 * directory that COPY --from=NAME reads; its files are part of the step's cache key;
 * `NAME=oci-layout://DIR[:TAG][@sha256:DIGEST]` the image of an OCI layout (here one skopeo
 * wrote), checked blob by blob as `strata load` checks an oci-archive. Bad values
 * are USAGE errors before any work.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { expectBuildRefused } from "../helpers/usage.ts";

describe("build --build-context", () => {
  let root: string;
  let cleanup: () => void;
  const dir = tempDir("buildctx");
  const ctx = join(dir, "ctx");
  const extra = join(dir, "extra");
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("buildctx"));
    mkdirSync(ctx);
    mkdirSync(extra);
    writeFileSync(join(extra, "e.txt"), "one\n");
    writeFileSync(join(ctx, "Dockerfile"), "FROM busybox AS builder\nRUN echo from-stage > /s\nFROM base\nCOPY --from=extra e.txt /e.txt\nCOPY --from=builder /s /s\nRUN cat /e.txt /s\n");
    expect(strata(root, ["tag", "busybox:latest", "buildctx/base:1"]).code).toBe(0);
  });
  afterAll(() => {
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const build = (...args: string[]) => strata(root, ["build", "--progress", "plain", "--build-context", "base=docker-image://buildctx/base:1", "--build-context", `extra=${extra}`, ...args, ctx]);

  it("FROM NAME reads the docker-image:// context; COPY --from=NAME the named directory", () => {
    const r = build("-t", "buildctx/out:1");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("FROM docker.io/buildctx/base:1");
    expect(r.stderr).toMatch(/#\d+ [\d.]+ one\n#\d+ [\d.]+ from-stage\n/);
    expect(strata(root, ["run", "--rm", "buildctx/out:1", "cat", "/e.txt"]).stdout).toBe("one\n");
  });

  it("a change in the named directory misses the cache at its COPY; none is a full hit", () => {
    expect(build().stderr).toMatch(/0 steps run, 4 cached/);
    writeFileSync(join(extra, "e.txt"), "two\n");
    const r = build();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/#\d+ [\d.]+ two\n/);
    expect(r.stderr).toMatch(/3 steps run, 1 cached/);
  });

  it("image.ts reads named contexts the same way (from() and copy's from:)", () => {
    const its = join(dir, "its");
    mkdirSync(its);
    writeFileSync(join(its, "image.ts"), 'import { from } from "strata-build";\n\nexport default from("base").copy("e.txt", "/from-extra.txt", { from: "extra" });\n');
    const r = strata(root, ["build", "-q", "-t", "buildctx/its:1", "--build-context", "base=docker-image://buildctx/base:1", "--build-context", `extra=${extra}`, its]);
    expect(r.code, r.stderr).toBe(0);
    expect(strata(root, ["run", "--rm", "buildctx/its:1", "cat", "/from-extra.txt"]).stdout).toMatch(/^(one|two)\n$/);
  });

  it("a named context overrides the stage of that name", () => {
    const r = build("--build-context", "builder=docker-image://busybox:latest");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('COPY failed: "/s": not found in image busybox:latest');
  });

  it("FROM of a named directory is a diagnostic at the FROM (Strata reads one with COPY --from= only)", () => {
    writeFileSync(join(dir, "from-dir.Dockerfile"), "FROM extra\n");
    const r = strata(root, ["build", "-f", join(dir, "from-dir.Dockerfile"), "--build-context", `extra=${extra}`, ctx]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("from-dir.Dockerfile:1:6: error[LW012]: FROM extra: the build context extra is a local directory");
  });

  it("FROM NAME reads the image of an oci-layout:// context, chosen by :TAG or @DIGEST", () => {
    const saved = join(dir, "saved.tar");
    expect(strata(root, ["save", "-o", saved, "buildctx/out:1"]).code).toBe(0);
    const layout = join(dir, "layout");
    const copy = spawnSync("skopeo", ["copy", "-q", `docker-archive:${saved}`, `oci:${layout}:v1`], { encoding: "utf8" });
    expect(copy.status, copy.stderr).toBe(0);
    writeFileSync(join(dir, "layout.Dockerfile"), "FROM app\nRUN cat /e.txt\n");
    const digest = (JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: { digest: string }[] }).manifests[0]?.digest;
    for (const value of [`oci-layout://${layout}:v1`, `oci-layout://${layout}@${digest}`, `oci-layout://${layout}`]) {
      const r = strata(root, ["build", "--progress", "plain", "--no-cache", "-f", join(dir, "layout.Dockerfile"), "--build-context", `app=${value}`, ctx]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/#\d+ [\d.]+ (one|two)\n/);
    }
    const missing = strata(root, ["build", "-f", join(dir, "layout.Dockerfile"), "--build-context", `app=oci-layout://${layout}:v2`, ctx]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`oci-layout://${layout}:v2: no such image in the layout`);
  });

  it.each([
    [["--build-context", "noequals"], "expected NAME=VALUE"],
    [["--build-context", "x=/no/such/dir"], "/no/such/dir is not a directory"],
    [["--build-context", "x=docker-image://Bad:Ref:x"], '"Bad:Ref:x"'],
    [["--build-context", "x=https://example.com/ctx.tar"], "https:// contexts are not supported by Strata"],
    [["--build-context", "x=oci-layout:///tmp"], "/tmp is not an OCI layout (no index.json)"],
    [["--build-context", "x=oci-layout:///tmp@sha256:abc"], 'invalid digest "sha256:abc"'],
    [["--build-context", `x=${"/tmp"}`, "--build-context", "X=/tmp"], "the context x is given twice"],
  ])("build %j is a USAGE error before any work", (args, message) => {
    expectBuildRefused(join(dir, "never-opened"), args, ctx, message);
  });
});
