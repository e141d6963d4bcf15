/**
 * Issue 21, archives and build outputs of a multi-platform image (a name that points at an OCI
 * image index, built for linux/amd64 and linux/arm64 under qemu-user-static):
 * - `save --format oci-archive`: index.json names the index (ref.name annotation), the index and
 *   both platforms' blobs inside; skopeo reads the index, each platform's config, and copies it
 *   all (`copy --all`); umoci sees the name.
 * - load into a fresh store: the same index digest, `system verify` ok; an archive with one platform's
 *   blobs gives an index of that one; `load --platform` one image.
 * - `save` (docker-archive): one manifest.json entry per platform, the name on this machine's;
 *   skopeo reads each entry, podman loads it.
 * - `save --platform linux/arm64`: a plain one-manifest archive.
 * - `build -o type=local|tar|oci`: one rootfs per platform in linux_amd64/ and linux_arm64/
 *   (buildx's layout), the tar's top folders the same, the OCI archive the index.
 * Skipped (with a notice) unless root on amd64 with the arm64 emulator registered, as emulated.spec.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARM64, emulationReady, ROOTFS_STAGE, writeRootfsTarballs } from "../helpers/platforms.ts";
import { strata, tempDir } from "../helpers/strata.ts";

const skip = !emulationReady("multi-platform-archive.spec");

const NAME = "mparchive:1";
const INDEX = "application/vnd.oci.image.index.v1+json";
const MANIFEST = "application/vnd.oci.image.manifest.v1+json";

interface Desc {
  mediaType: string;
  digest: string;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}

function run(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20 });
  expect(r.status, `${cmd} ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** A file of a tar archive. */
const inTar = (tar: string, name: string): string => run("tar", ["-xOf", tar, name]);
/** What a store's name points at (its index.json entry). */
const named = (root: string, name: string): Desc | undefined =>
  (JSON.parse(readFileSync(join(root, "index.json"), "utf8")) as { manifests: Desc[] }).manifests.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] === name);

describe.skipIf(skip)("archives and build outputs of a multi-platform image", () => {
  let dir: string;
  let root: string;
  let ctx: string;

  beforeAll(() => {
    dir = tempDir("mp-archive");
    root = join(dir, "store");
    ctx = join(dir, "ctx");
    mkdirSync(ctx);
    writeRootfsTarballs(ctx, { foreign: [ARM64] });
    writeFileSync(join(ctx, "Dockerfile"), [...ROOTFS_STAGE, "FROM base", "RUN uname -m > /machine", ""].join("\n"));
    const b = strata(root, ["build", "-q", "--platform", "linux/amd64,linux/arm64", "-t", NAME, ctx]);
    expect(b.code, b.stderr).toBe(0);
  }, 180_000);
  afterAll(() => {
    spawnSync("rm", ["-rf", dir]);
  });

  it("save --format oci-archive: index.json names the index; skopeo reads both platforms and copies them all", () => {
    const tar = join(dir, "oci.tar");
    const s = strata(root, ["save", "--format", "oci-archive", "-o", tar, NAME]);
    expect(s.code, s.stderr).toBe(0);
    const [top] = (JSON.parse(inTar(tar, "index.json")) as { manifests: Desc[] }).manifests;
    expect(top).toMatchObject({ mediaType: INDEX, annotations: { "org.opencontainers.image.ref.name": NAME } });
    const raw = JSON.parse(run("skopeo", ["inspect", "--raw", `oci-archive:${tar}`])) as { mediaType: string; manifests: Desc[] };
    expect(raw.mediaType).toBe(INDEX);
    expect(raw.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`)).toEqual(["linux/amd64", "linux/arm64"]);
    for (const m of raw.manifests) expect(inTar(tar, `blobs/sha256/${m.digest.slice(7)}`)).toContain(MANIFEST);
    for (const arch of ["amd64", "arm64"]) {
      const cfg = JSON.parse(run("skopeo", ["inspect", "--config", "--override-arch", arch, `oci-archive:${tar}`])) as { architecture: string };
      expect(cfg.architecture).toBe(arch);
    }
    const copy = join(dir, "copied");
    run("skopeo", ["copy", "-q", "--all", `oci-archive:${tar}`, `oci:${copy}:x`]);
    const copied = JSON.parse(run("skopeo", ["inspect", "--raw", `oci:${copy}:x`])) as { manifests: Desc[] };
    expect(copied.manifests.map((m) => m.digest)).toEqual(raw.manifests.map((m) => m.digest));
    const layout = join(dir, "layout");
    mkdirSync(layout);
    run("tar", ["-C", layout, "-xf", tar]);
    expect(run("umoci", ["ls", "--layout", layout]).split("\n")).toContain(NAME);
  });

  it("load of that archive into a fresh store: the same index digest, verify ok; load --platform gives one image", () => {
    const tar = join(dir, "oci.tar");
    const fresh = join(dir, "fresh");
    const l = strata(fresh, ["load", "-i", tar]);
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout).toBe(`Loaded image: ${NAME}\n`);
    const before = named(root, NAME);
    expect(before?.mediaType).toBe(INDEX);
    expect(named(fresh, NAME)?.digest).toBe(before?.digest);
    const v = strata(fresh, ["system", "verify"]);
    expect(v.code, v.stderr).toBe(0);
    // The arm64 image is in the fresh store too: saved from it alone, skopeo reads its config.
    const arm = join(dir, "fresh-arm64.tar");
    expect(strata(fresh, ["save", "--platform", "linux/arm64", "--format", "oci-archive", "-o", arm, NAME]).code).toBe(0);
    expect((JSON.parse(run("skopeo", ["inspect", "--config", `oci-archive:${arm}`])) as { architecture: string }).architecture).toBe("arm64");

    // An index with one platform's blobs only (as docker's save --platform writes it): the local index lists that one.
    const part = join(dir, "part");
    mkdirSync(part);
    run("tar", ["-C", part, "-xf", tar]);
    const arm64 = (JSON.parse(run("skopeo", ["inspect", "--raw", `oci-archive:${tar}`])) as { manifests: Desc[] }).manifests[1] as Desc;
    rmSync(join(part, "blobs/sha256", arm64.digest.slice(7)));
    run("tar", ["-C", part, "-cf", join(dir, "part.tar"), "."]);
    const partial = join(dir, "partial");
    expect(strata(partial, ["load", "-i", join(dir, "part.tar")]).code).toBe(0);
    const children = (digest: string) => (JSON.parse(readFileSync(join(partial, "blobs/sha256", digest.slice(7)), "utf8")) as { manifests: Desc[] }).manifests;
    expect(children(named(partial, NAME)?.digest ?? "").map((m) => m.platform?.architecture)).toEqual(["amd64"]);
    expect(strata(partial, ["system", "verify"]).code).toBe(0);

    const one = join(dir, "one");
    const p = strata(one, ["load", "--platform", "linux/arm64", "-i", tar]);
    expect(p.code, p.stderr).toBe(0);
    expect(named(one, NAME)?.mediaType).toBe(MANIFEST);
    expect(strata(one, ["inspect", "--format", "{{.Architecture}}", NAME]).stdout.trim()).toBe("arm64");
  });

  it("save (docker-archive): one manifest.json entry per platform, the name on this machine's; skopeo reads each, podman loads it", () => {
    const tar = join(dir, "docker.tar");
    const s = strata(root, ["save", "-o", tar, NAME]);
    expect(s.code, s.stderr).toBe(0);
    const legacy = JSON.parse(inTar(tar, "manifest.json")) as { RepoTags: string[] }[];
    expect(legacy.map((e) => e.RepoTags)).toEqual([[NAME], []]);
    const arch = (ref: string) => (JSON.parse(run("skopeo", ["inspect", ref])) as { Architecture: string }).Architecture;
    expect(arch(`docker-archive:${tar}:${NAME}`)).toBe("amd64");
    expect(arch(`docker-archive:${tar}:@1`)).toBe("arm64");
    const podman = ["--root", join(dir, "podman"), "--runroot", join(dir, "podman-run")];
    const load = spawnSync("podman", [...podman, "load", "-i", tar], { encoding: "utf8" });
    expect(load.status, load.stderr).toBe(0);
    expect(load.stdout + load.stderr).toContain(`Loaded image: docker.io/library/${NAME}`);
    expect(run("podman", [...podman, "image", "inspect", "--format", "{{.Architecture}}", NAME]).trim()).toBe("amd64");
    spawnSync("podman", [...podman, "rmi", "-a", "-f"]);
  });

  it("save --platform linux/arm64: a one-manifest archive of that platform", () => {
    const oci = join(dir, "arm64.oci.tar");
    const docker = join(dir, "arm64.docker.tar");
    expect(strata(root, ["save", "--platform", "linux/arm64", "--format", "oci-archive", "-o", oci, NAME]).code).toBe(0);
    expect(strata(root, ["save", "--platform", "linux/arm64", "-o", docker, NAME]).code).toBe(0);
    const { manifests } = JSON.parse(inTar(oci, "index.json")) as { manifests: Desc[] };
    expect(manifests.map((m) => m.mediaType)).toEqual([MANIFEST]);
    expect((JSON.parse(run("skopeo", ["inspect", "--raw", `oci-archive:${oci}`])) as { mediaType: string }).mediaType).toBe(MANIFEST);
    expect((JSON.parse(run("skopeo", ["inspect", "--config", `oci-archive:${oci}`])) as { architecture: string }).architecture).toBe("arm64");
    expect((JSON.parse(inTar(docker, "manifest.json")) as unknown[]).length).toBe(1);
    expect((JSON.parse(run("skopeo", ["inspect", `docker-archive:${docker}`])) as { Architecture: string }).Architecture).toBe("arm64");
    const other = strata(root, ["save", "--platform", "linux/s390x", "-o", join(dir, "none.tar"), NAME]);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/^strata: error\[IMAGE_NOT_FOUND\]: image mparchive:1 was found but does not provide the platform linux\/s390x/);
  });

  it("build -o type=local, type=tar, type=oci: a rootfs per platform in linux_amd64/ and linux_arm64/, the OCI archive the index", () => {
    const local = join(dir, "local");
    const tar = join(dir, "rootfs.tar");
    const oci = join(dir, "built.oci.tar");
    const b = strata(root, ["build", "-q", "--platform", "linux/amd64,linux/arm64", "-o", `type=local,dest=${local}`, "-o", `type=tar,dest=${tar}`, "-o", `type=oci,dest=${oci}`, ctx]);
    expect(b.code, b.stderr).toBe(0);
    for (const [dirName, file, machine] of [["linux_amd64", "x86-64", "x86_64"], ["linux_arm64", "ARM aarch64", "aarch64"]] as const) {
      expect(run("file", ["-b", join(local, dirName, "bin/busybox")])).toContain(file);
      expect(readFileSync(join(local, dirName, "machine"), "utf8")).toBe(`${machine}\n`);
    }
    const names = run("tar", ["-tf", tar]).split("\n");
    expect(names).toContain("linux_amd64/bin/busybox");
    expect(names).toContain("linux_arm64/machine");
    expect(new Set(names.filter((n) => n !== "").map((n) => n.split("/")[0]))).toEqual(new Set(["linux_amd64", "linux_arm64"]));
    const raw = JSON.parse(run("skopeo", ["inspect", "--raw", `oci-archive:${oci}`])) as { mediaType: string; manifests: Desc[] };
    expect(raw.mediaType).toBe(INDEX);
    expect(raw.manifests.map((m) => m.platform?.architecture)).toEqual(["amd64", "arm64"]);
  });
});
