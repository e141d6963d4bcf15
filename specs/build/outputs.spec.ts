/**
 * Issue 18 item 1 (outputs): `build -o/--output`, `--push`, `--load` as buildx reads them
 * (docs.docker.com/build/exporters/ and .../exporters/local-tar/, oci-docker/, image-registry/):
 * `type=local,dest=DIR` writes the result's root filesystem, `type=tar,dest=FILE` the same as one
 * tar, `-o DIR` / `-o -` are buildx's shorthands for local / tar to standard output,
 * `type=oci|docker,dest=FILE[,name=REF]` an image archive that skopeo and podman read,
 * `type=image,name=REF,push=true` / `type=registry` / `--push` push to a registry (here one on
 * 127.0.0.1). A bad value is a USAGE error (exit 2) before any work: nothing built, no store made.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRegistry, type TestRegistry } from "../registry/helpers.ts";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { expectBuildRefused } from "../helpers/usage.ts";

const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20 });

describe("build -o/--output, --push", () => {
  let root: string;
  let cleanup: () => void;
  let reg: TestRegistry;
  const dir = tempDir("outputs");
  const ctx = join(dir, "ctx");
  beforeAll(async () => {
    ({ root, cleanup } = storeWithBusybox("outputs"));
    reg = await startRegistry();
    mkdirSync(ctx);
    // The RUN deletes a file of the base: the exported filesystem must not have it (the whiteout applied).
    writeFileSync(join(ctx, "Dockerfile"), 'FROM busybox\nRUN echo hello > /hello && rm /bin/vi\nCMD ["cat", "/hello"]\n');
  });
  afterAll(async () => {
    await reg.stop();
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("type=local, type=tar, -o DIR and -o - write the result's root filesystem", () => {
    const local = join(dir, "local");
    const short = join(dir, "short");
    const tar = join(dir, "rootfs.tar");
    const r = strata(root, ["build", "--progress", "plain", "-o", `type=local,dest=${local}`, "-o", `type=tar,dest=${tar}`, "-o", short, ctx]);
    expect(r.code, r.stderr).toBe(0);
    for (const d of [local, short]) {
      expect(readFileSync(join(d, "hello"), "utf8")).toBe("hello\n");
      expect(existsSync(join(d, "bin/busybox"))).toBe(true);
      expect(existsSync(join(d, "bin/vi"))).toBe(false);
    }
    const names = sh("tar", ["tf", tar]).stdout.split("\n");
    expect(names).toContain("hello");
    expect(names).toContain("bin/busybox");
    expect(names).not.toContain("bin/vi");
    // `-o -`: the tar on standard output, alone (-q's image ID is not printed into it).
    const out = spawnSync(process.execPath, ["bin/strata.js", "--root", root, "build", "-q", "-o", "-", ctx], { maxBuffer: 64 << 20 });
    expect(out.status, out.stderr.toString()).toBe(0);
    const listed = spawnSync("tar", ["tf", "-"], { input: out.stdout, encoding: "utf8" });
    expect(listed.stdout.split("\n")).toContain("hello");
    expect(out.stdout.length % 512).toBe(0);
  });

  it("type=docker and type=oci write archives podman loads and skopeo reads, under the given name", () => {
    const docker = join(dir, "docker.tar");
    const oci = join(dir, "oci.tar");
    const r = strata(root, ["build", "-q", "-o", `type=docker,dest=${docker},name=outputs/app:1`, "-o", `type=oci,dest=${oci}`, ctx]);
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    const podmanRoot = join(dir, "podman");
    const load = sh("podman", ["--root", podmanRoot, "--runroot", join(dir, "podman-run"), "load", "-i", docker]);
    expect(load.stdout + load.stderr).toContain("Loaded image: docker.io/outputs/app:1");
    const inspect = JSON.parse(sh("skopeo", ["inspect", "--config", `docker-archive:${docker}`]).stdout) as { config: { Cmd: string[] } };
    expect(inspect.config.Cmd).toEqual(["cat", "/hello"]);
    const ociConfig = sh("skopeo", ["inspect", "--raw", "--config", `oci-archive:${oci}`]);
    expect(ociConfig.status, ociConfig.stderr).toBe(0);
    expect(id).toBe(`sha256:${spawnSync("sha256sum", { input: ociConfig.stdout, encoding: "utf8" }).stdout.split(" ")[0]}`);
    sh("podman", ["--root", podmanRoot, "--runroot", join(dir, "podman-run"), "rmi", "-a", "-f"]);
  });

  it("--push and type=image,push=true push the image; skopeo reads it back", () => {
    const tagged = `${reg.host}/outputs/app:pushed`;
    const named = `${reg.host}/outputs/app:named`;
    const r = strata(root, ["build", "--progress", "plain", "-t", tagged, "--push", "-o", `type=image,name=${named},push=true`, ctx]);
    expect(r.code, r.stderr).toBe(0);
    for (const ref of [tagged, named]) {
      const s = sh("skopeo", ["inspect", "--tls-verify=false", "--config", `docker://${ref}`]);
      expect(s.status, s.stderr).toBe(0);
      expect((JSON.parse(s.stdout) as { config: { Cmd: string[] } }).config.Cmd).toEqual(["cat", "/hello"]);
    }
    expect(r.stderr).toContain(`pushing ${tagged}@sha256:`);
  });

  it("type=registry,compression=zstd pushes zstd layers", () => {
    const ref = `${reg.host}/outputs/app:zstd`;
    const r = strata(root, ["build", "-q", "-o", `type=registry,name=${ref},compression=zstd`, ctx]);
    expect(r.code, r.stderr).toBe(0);
    const raw = sh("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${ref}`]);
    const layers = (JSON.parse(raw.stdout) as { layers: { mediaType: string }[] }).layers;
    expect(layers.length).toBeGreaterThan(0);
    for (const l of layers) expect(l.mediaType).toBe("application/vnd.oci.image.layer.v1.tar+zstd");
  });

  it.each([
    [["-o", "type=local"], "--output type=local: missing dest="],
    [["-o", "type=floppy,dest=x"], 'invalid type "floppy"'],
    [["-o", "type=local,dest=x,compression=zstd"], 'unknown key "compression"'],
    [["-o", "dest=x"], "missing type="],
    [["-o", "type=image,push=maybe"], 'invalid push "maybe"'],
    [["-o", "type=oci,dest=x,compression=estargz"], "compression=estargz is not supported by Strata"],
    [["-o", "type=docker,dest=x,compression=lz4"], 'invalid compression "lz4"'],
    [["-o", "type=registry"], "tag is needed when pushing to registry"],
    [["--push"], "--push: tag is needed when pushing to registry"],
  ])("build %j is a USAGE error before any work", (args, message) => {
    expectBuildRefused(join(dir, "never-opened"), args, ctx, message);
  });
});
