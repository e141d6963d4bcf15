/**
 * Issue 18 item 1: `build --build-context NAME=VALUE` as buildx documents it
 * (docs.docker.com/reference/cli/docker/buildx/build/#build-context): `NAME=docker-image://REF`
 * replaces the image or stage NAME wherever FROM or COPY --from= names it ("the named context
 * overrides a stage of that name", BuildKit's dockerfile2llb), and `NAME=DIR` is a local
 * directory that COPY --from=NAME reads; its files are part of the step's cache key; `FROM NAME`
 * of a directory makes it the stage's root filesystem (BuildKit's llb.Local: one layer, no image
 * config) and `RUN --mount from=NAME` binds it (issue 18, remaining gaps);
 * `NAME=oci-layout://DIR[:TAG][@sha256:DIGEST]` the image of an OCI layout (here one skopeo
 * wrote), checked blob by blob as `strata load` checks an oci-archive. Bad values
 * are USAGE errors before any work.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

  describe("FROM and RUN --mount from= a named directory (BuildKit's llb.Local as the stage's root)", () => {
    const rootfs = join(dir, "rootfs");
    const df = join(dir, "from-dir.Dockerfile");
    beforeAll(() => {
      // A root filesystem of its own: busybox's binary and a file, nothing of the busybox image.
      mkdirSync(join(rootfs, "bin"), { recursive: true });
      mkdirSync(join(rootfs, "etc"));
      copyFileSync("/bin/busybox", join(rootfs, "bin", "busybox"));
      chmodSync(join(rootfs, "bin", "busybox"), 0o755);
      writeFileSync(join(rootfs, "etc", "release"), "from-a-directory\n");
      chownSync(join(rootfs, "etc", "release"), 1234, 1234);
      writeFileSync(join(rootfs, "ignored.txt"), "left out\n");
      writeFileSync(join(rootfs, ".dockerignore"), "ignored.txt\n");
      writeFileSync(df, 'FROM rootfs\nRUN ["/bin/busybox", "sh", "-c", "/bin/busybox cat /etc/release > /made"]\n');
    });
    const fromDir = (...args: string[]) => strata(root, ["build", "--progress", "plain", "-f", df, "--build-context", `rootfs=${rootfs}`, ...args, ctx]);

    it("builds on the directory as its root filesystem: its files (what its .dockerignore keeps), owned by root, no image config", () => {
      const r = fromDir("-t", "buildctx/fromdir:1");
      expect(r.code, r.stderr).toBe(0);
      const out = join(dir, "fromdir-rootfs");
      expect(strata(root, ["build", "-q", "-f", df, "--build-context", `rootfs=${rootfs}`, "-o", `type=local,dest=${out}`, ctx]).code).toBe(0);
      expect(readdirSync(out).sort()).toEqual([".dockerignore", "bin", "etc", "made"]);
      expect(readFileSync(join(out, "made"), "utf8")).toBe("from-a-directory\n");
      const run = strata(root, ["run", "--rm", "buildctx/fromdir:1", "/bin/busybox", "stat", "-c", "%u:%g %n", "/etc/release", "/bin/busybox"]);
      expect(run.stdout).toBe("0:0 /etc/release\n0:0 /bin/busybox\n");
      const [image] = JSON.parse(strata(root, ["inspect", "buildctx/fromdir:1"]).stdout) as [{ Config: Record<string, unknown>; RootFS: { Layers: string[] } }];
      expect(image.Config).toEqual({ Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], OnBuild: null });
      expect(image.RootFS.Layers).toHaveLength(2);
      const history = strata(root, ["history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Comment}}", "buildctx/fromdir:1"]).stdout.trim().split("\n");
      expect(history[1]).toBe("local source for rootfs|buildkit.exporter.image.v0");
    });

    it("image.ts from(NAME) of a directory is the same root", () => {
      const its = join(dir, "its-fromdir");
      mkdirSync(its);
      writeFileSync(join(its, "image.ts"), 'import { from } from "strata-build";\n\nexport default from("rootfs").env({ FROM_IMAGE_TS: "1" });\n');
      const out = join(dir, "its-fromdir-rootfs");
      const r = strata(root, ["build", "-q", "--build-context", `rootfs=${rootfs}`, "-o", `type=local,dest=${out}`, its]);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(join(out, "etc", "release"), "utf8")).toBe("from-a-directory\n");
    });

    it("is cached by the directory's content, as a COPY of it: a changed file misses at the FROM, an ignored one does not", () => {
      expect(fromDir().stderr).toMatch(/0 steps run, 2 cached/);
      writeFileSync(join(rootfs, "ignored.txt"), "still left out\n");
      expect(fromDir().stderr).toMatch(/0 steps run, 2 cached/);
      writeFileSync(join(rootfs, "etc", "release"), "changed\n");
      const r = fromDir("-t", "buildctx/fromdir:2");
      expect(r.stderr).toMatch(/2 steps run, 0 cached/);
      expect(strata(root, ["run", "--rm", "buildctx/fromdir:2", "/bin/busybox", "cat", "/made"]).stdout).toBe("changed\n");
    });

    it("explain shows the FROM as the stage's first layer, and why it misses", () => {
      writeFileSync(join(rootfs, "etc", "added"), "new\n");
      const r = strata(root, ["explain", "-f", df, "--build-context", `rootfs=${rootfs}`, ctx]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("0  FROM build context rootfs");
      expect(r.stdout).toMatch(/from-dir\.Dockerfile:1 +FROM rootfs +→ layer #1 {2}MISS/);
      expect(r.stdout).toContain("why a miss: files in the build context changed: etc/added added");
      expect(r.stdout).not.toContain("→ base image");
    });

    it("RUN --mount from=NAME binds the directory (or seeds a cache from it); its files key the RUN", () => {
      const mdf = join(dir, "mount-dir.Dockerfile");
      writeFileSync(mdf, "FROM busybox\nRUN --mount=from=rootfs,target=/r cat /r/etc/release; ls /r\nRUN --mount=type=cache,from=rootfs,source=etc,target=/c ls /c\n");
      const mount = () => strata(root, ["build", "--progress", "plain", "-f", mdf, "--build-context", `rootfs=${rootfs}`, ctx]);
      const r = mount();
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/#\d+ [\d.]+ changed\n/);
      expect(r.stderr).not.toMatch(/ignored\.txt/);
      expect(r.stderr).toMatch(/#\d+ [\d.]+ added\n#\d+ [\d.]+ release\n/);
      expect(mount().stderr).toMatch(/0 steps run, 2 cached/);
      writeFileSync(join(rootfs, "etc", "release"), "changed again\n");
      const again = mount();
      expect(again.stderr).toMatch(/#\d+ [\d.]+ changed again\n/);
      expect(again.stderr).toMatch(/2 steps run, 0 cached/);
    });
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
    [["--build-context", "x=ftp://example.com/ctx.tar"], "ftp:// contexts are not supported by Strata"],
    [["--build-context", "x=oci-layout:///tmp"], "/tmp is not an OCI layout (no index.json)"],
    [["--build-context", "x=oci-layout:///tmp@sha256:abc"], 'invalid digest "sha256:abc"'],
    [["--build-context", `x=${"/tmp"}`, "--build-context", "X=/tmp"], "the context x is given twice"],
  ])("build %j is a USAGE error before any work", (args, message) => {
    expectBuildRefused(join(dir, "never-opened"), args, ctx, message);
  });
});
