/**
 * Issue 21, registry: a multi-platform image pushed as an image index and pulled back. A
 * two-stage Dockerfile is built for linux/amd64 and linux/arm64 on bases made from Debian's
 * busybox-static (the arm64 one's RUN under qemu-user-static, as emulated.spec does) and pushed
 * by `build --push` to Debian's docker-registry on 127.0.0.1. Then other tools read it: skopeo
 * sees an OCI index with both platforms whose children's manifests and configs say their
 * platform, the arm64 child's busybox (skopeo copy + umoci unpack) is an ARM aarch64 binary, and
 * podman pulls the arm64 image by `--platform`. A fresh store's `pull --all-platforms` keeps the
 * index with its repository digest; `pull --platform linux/arm64` into a store holding the amd64
 * image makes a local index of both; `push --format docker` of the index puts a docker manifest
 * list over docker manifests. `--all-platforms` with `--platform` is a usage error.
 */
import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARM64, emulationReady, ROOTFS_STAGE, writeRootfsTarballs } from "../helpers/platforms.ts";
import { strata, tempDir } from "../helpers/strata.ts";
import { startRegistry, type TestRegistry } from "./helpers.ts";

const runs = emulationReady("multi-platform-push.spec");

const PLATFORMS = [
  { platform: "linux/amd64", arch: "amd64", uname: "x86_64", file: "x86-64" },
  { platform: "linux/arm64", arch: "arm64", uname: "aarch64", file: "ARM aarch64" },
];

interface Index {
  mediaType: string;
  manifests: { mediaType: string; digest: string; size: number; platform?: { os: string; architecture: string } }[];
}

const sha256 = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** What skopeo reads of `docker://ref`: the raw manifest (and its digest), or with --config the config. */
function skopeo(ref: string, what: "--raw" | "--config"): { json: unknown; digest: string } {
  const r = spawnSync("skopeo", ["inspect", what, "--tls-verify=false", `docker://${ref}`], { encoding: "buffer" });
  if (r.status !== 0) throw new Error(`skopeo inspect ${what} ${ref}: ${r.stderr.toString()}`);
  return { json: JSON.parse(r.stdout.toString("utf8")), digest: sha256(r.stdout) };
}

/** index.json's names and the descriptors they point at. */
function names(root: string): Map<string, { mediaType: string; digest: string }> {
  const index = JSON.parse(readFileSync(join(root, "index.json"), "utf8")) as { manifests: { mediaType: string; digest: string; annotations?: Record<string, string> }[] };
  return new Map(index.manifests.flatMap((m) => (m.annotations?.["io.containerd.image.name"] ? [[m.annotations["io.containerd.image.name"], m] as const] : [])));
}

/** The platforms of the stored index a name points at (failing when it is not an index). */
function localPlatforms(root: string, name: string): string[] {
  const d = names(root).get(name);
  expect(d?.mediaType).toBe("application/vnd.oci.image.index.v1+json");
  const index = JSON.parse(readFileSync(join(root, "blobs/sha256", (d?.digest ?? "").slice(7)), "utf8")) as Index;
  return index.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`);
}

describe.skipIf(!runs)("a multi-platform image through a registry", () => {
  let reg: TestRegistry;
  const dirs: string[] = [];
  const dir = (prefix: string) => {
    const d = tempDir(`mpush-${prefix}`);
    dirs.push(d);
    return d;
  };
  let root = "";
  let repo = "";
  let name = "";
  let build = { code: 0, stderr: "" };

  beforeAll(async () => {
    reg = await startRegistry();
    repo = `${reg.host}/mpush/app`;
    name = `${repo}:1`;
    root = dir("store");
    const ctx = dir("ctx");
    writeRootfsTarballs(ctx, { foreign: [ARM64] });
    writeFileSync(join(ctx, "Dockerfile"), [...ROOTFS_STAGE, "FROM base", "RUN uname -m > /machine && cat /machine", ""].join("\n"));
    build = strata(root, ["build", "--progress", "plain", "--platform", PLATFORMS.map((p) => p.platform).join(","), "-t", name, "--push", ctx]);
  }, 300_000);
  afterAll(async () => {
    await reg?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("build --push runs each platform's RUN as that machine and pushes each image, then the index", () => {
    expect(build.code, build.stderr).toBe(0);
    for (const p of PLATFORMS) {
      expect(build.stderr).toMatch(new RegExp(`^#\\d+ [\\d.]+ ${p.uname}$`, "m"));
      expect(build.stderr).toMatch(new RegExp(`^${p.platform}: Pushing image [0-9a-f]{12}$`, "m"));
      expect(build.stderr).toMatch(new RegExp(`^${p.platform}: digest: sha256:[0-9a-f]{64} size: \\d+$`, "m"));
    }
    expect(build.stderr).toMatch(/^1: digest: sha256:[0-9a-f]{64} size: \d+$/m);
  });

  it("skopeo sees an OCI index of both platforms, each child's manifest and config saying its platform; the local index has its digest as RepoDigest", () => {
    const top = skopeo(name, "--raw");
    const index = top.json as Index;
    expect(index.mediaType).toBe("application/vnd.oci.image.index.v1+json");
    expect(index.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`)).toEqual(PLATFORMS.map((p) => p.platform));
    for (const [i, p] of PLATFORMS.entries()) {
      const child = index.manifests[i];
      const m = skopeo(`${repo}@${child?.digest}`, "--raw");
      expect(m.digest).toBe(child?.digest);
      expect((m.json as { mediaType: string }).mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
      expect(skopeo(`${repo}@${child?.digest}`, "--config").json).toMatchObject({ os: "linux", architecture: p.arch });
    }
    const local = names(root);
    expect(local.get(`${repo}@${top.digest}`)?.digest).toBe(local.get(name)?.digest);
    expect(strata(root, ["system", "verify"]).stdout).toBe("store verified: ok\n");
  });

  it("the arm64 child's busybox, copied out by skopeo and unpacked by umoci, is an ARM aarch64 binary that wrote aarch64", () => {
    const arm = (skopeo(name, "--raw").json as Index).manifests.find((m) => m.platform?.architecture === "arm64");
    const work = dir("umoci");
    const cp = spawnSync("skopeo", ["copy", "--src-tls-verify=false", `docker://${repo}@${arm?.digest}`, `oci:${join(work, "layout")}:arm64`], { encoding: "utf8" });
    expect(cp.status, cp.stderr).toBe(0);
    const un = spawnSync("umoci", ["unpack", "--image", `${join(work, "layout")}:arm64`, join(work, "bundle")], { encoding: "utf8" });
    expect(un.status, un.stderr).toBe(0);
    expect(execFileSync("file", ["-b", join(work, "bundle/rootfs/bin/busybox")], { encoding: "utf8" })).toContain("ARM aarch64");
    expect(readFileSync(join(work, "bundle/rootfs/machine"), "utf8")).toBe("aarch64\n");
  });

  it("podman pull --platform linux/arm64 gets the arm64 image", () => {
    const p = dir("podman");
    const podman = (args: string[]) => spawnSync("podman", ["--root", join(p, "root"), "--runroot", join(p, "run"), "--storage-driver", "vfs", ...args], { encoding: "utf8" });
    const pull = podman(["pull", "-q", "--tls-verify=false", "--platform", "linux/arm64", name]);
    expect(pull.status, pull.stderr).toBe(0);
    const arch = podman(["image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", name]);
    expect(arch.stdout.trim(), arch.stderr).toBe("linux/arm64");
  });

  it("pull --all-platforms into a fresh store keeps the index, named and by its repository digest", () => {
    const fresh = dir("all");
    const pull = strata(fresh, ["pull", "--all-platforms", name]);
    expect(pull.code, pull.stderr).toBe(0);
    for (const p of PLATFORMS) expect(pull.stderr).toContain(`${p.platform}: Pulling sha256:`);
    expect(localPlatforms(fresh, name)).toEqual(PLATFORMS.map((p) => p.platform));
    const remote = skopeo(name, "--raw").digest;
    expect(pull.stderr).toContain(`Digest: ${remote}`);
    expect(names(fresh).get(`${repo}@${remote}`)?.digest).toBe(names(fresh).get(name)?.digest);
    expect(strata(fresh, ["system", "verify"]).stdout).toBe("store verified: ok\n");
    const images = strata(fresh, ["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    expect(images.stdout.trim().split("\n")).toEqual([name]);
  });

  it("pull --platform linux/arm64 into a store holding the amd64 image makes a local index of both; pulling amd64 again changes nothing", () => {
    const s = dir("both");
    expect(strata(s, ["pull", "-q", "--platform", "linux/amd64", name]).code).toBe(0);
    expect(names(s).get(name)?.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
    // The machine's platform again, over a plain manifest of it: still a plain manifest.
    expect(strata(s, ["pull", "-q", name]).code).toBe(0);
    expect(names(s).get(name)?.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
    const arm = strata(s, ["pull", "--platform", "linux/arm64", name]);
    expect(arm.code, arm.stderr).toBe(0);
    expect(localPlatforms(s, name)).toEqual(PLATFORMS.map((p) => p.platform));
    const index = names(s).get(name);
    expect(strata(s, ["pull", "-q", "--platform", "linux/amd64", name]).code).toBe(0);
    expect(names(s).get(name)).toEqual(index);
    // The amd64 manifest the name had is the index's child now, not a <none> image beside it.
    expect(strata(s, ["images", "-q"]).stdout.trim().split("\n")).toHaveLength(1);
    expect(strata(s, ["system", "verify"]).stdout).toBe("store verified: ok\n");
  });

  it("push --format docker of the index puts a docker manifest list over docker manifests", () => {
    const dest = `${repo}:docker`;
    const push = strata(root, ["push", "--format", "docker", name, dest]);
    expect(push.code, push.stderr).toBe(0);
    const list = skopeo(dest, "--raw").json as Index;
    expect(list.mediaType).toBe("application/vnd.docker.distribution.manifest.list.v2+json");
    expect(list.manifests.map((m) => [m.mediaType, m.platform?.architecture])).toEqual(PLATFORMS.map((p) => ["application/vnd.docker.distribution.manifest.v2+json", p.arch]));
    for (const [i, p] of PLATFORMS.entries()) expect(skopeo(`${repo}@${list.manifests[i]?.digest}`, "--config").json).toMatchObject({ architecture: p.arch });
  });

  it("--all-platforms with --platform is a usage error", () => {
    const r = strata(dir("usage"), ["pull", "--all-platforms", "--platform", "linux/arm64", name]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("strata: error[USAGE]: pull: --all-platforms and --platform cannot be used together\n");
  });
});
