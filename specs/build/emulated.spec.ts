/**
 * Issue 21 item 2, emulation: a build for a platform this machine is not runs its RUNs through
 * qemu-user-static's binfmt_misc handlers (scripts/binfmt.sh registers them with the F flag, so
 * the kernel runs the interpreter it opened at registration inside a rootfs that has no qemu).
 * The foreign bases are made here from Debian's busybox-static for arm64 and armhf
 * (scripts/foreign-busybox.sh) by a `FROM scratch` build that ADDs the rootfs of its TARGETARCH.
 * Each RUN's `uname -m` is its platform's machine, BUILDPLATFORM stays this machine's, the config
 * says the platform, `file` says the binaries are of it, and `info` lists the platforms.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostPlatform } from "../../compiler/lower/platform.ts";
import { runnablePlatforms } from "../../runtime/engine/plan/platforms.ts";
import { strata, tempDir } from "../helpers/strata.ts";

const host = hostPlatform(process.arch);
const machine = await runnablePlatforms();
/** Debian's architecture names → the OCI platform and `uname -m` of each. */
const FOREIGN = [
  { deb: "arm64", platform: "linux/arm64", uname: "aarch64", file: "ARM aarch64" },
  { deb: "armhf", platform: "linux/arm/v7", uname: "armv7l", file: "ARM, EABI5" },
].filter((f) => f.platform !== host && machine.runnable.includes(f.platform));
const isRoot = process.getuid?.() === 0;
if (!isRoot || host !== "linux/amd64" || FOREIGN.length === 0) {
  process.stderr.write("emulated.spec: skipped: needs root on amd64 with qemu-user-static's arm64 and arm emulators registered (scripts/binfmt.sh, which npm test runs as root)\n");
}

describe.skipIf(!isRoot || host !== "linux/amd64" || FOREIGN.length === 0)("RUN for a foreign platform runs under qemu-user-static", () => {
  let root: string;
  let ctx: string;
  const tools = ["sh", "uname", "cat", "echo"];

  /** A rootfs tarball of one busybox binary and its tool links. */
  function rootfsTar(name: string, busybox: string): void {
    const dir = join(ctx, `rootfs-${name}`);
    mkdirSync(join(dir, "bin"), { recursive: true });
    mkdirSync(join(dir, "tmp"));
    execFileSync("cp", [busybox, join(dir, "bin", "busybox")]);
    for (const t of tools) symlinkSync("busybox", join(dir, "bin", t));
    execFileSync("tar", ["-C", dir, "-cf", join(ctx, `rootfs-${name}.tar`), "."]);
  }

  beforeAll(() => {
    root = tempDir("emulated-store");
    ctx = tempDir("emulated-ctx");
    rootfsTar("amd64", "/bin/busybox");
    for (const f of FOREIGN) rootfsTar(f.deb === "armhf" ? "arm" : f.deb, join(execFileSync("bash", ["scripts/foreign-busybox.sh", f.deb], { encoding: "utf8" }).trim(), "bin", "busybox"));
    writeFileSync(
      join(ctx, "Dockerfile"),
      [
        "FROM scratch AS base",
        "ARG TARGETARCH",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile line; ${TARGETARCH} is its ARG.
        "ADD rootfs-${TARGETARCH}.tar /",
        "FROM base",
        "ARG TARGETPLATFORM BUILDPLATFORM",
        'RUN echo "$(uname -m) for $TARGETPLATFORM on $BUILDPLATFORM" > /machine && cat /machine',
        "",
      ].join("\n"),
    );
  }, 120_000);
  afterAll(() => {
    spawnSync("rm", ["-rf", root, ctx]);
  });

  it("strata info lists this machine's platform and the emulated ones", () => {
    const r = strata(root, ["info", "--format", "{{json .Platforms}}"]);
    expect(r.code, r.stderr).toBe(0);
    const platforms = JSON.parse(r.stdout) as string[];
    expect(platforms[0]).toBe(host);
    for (const f of FOREIGN) expect(platforms).toContain(f.platform);
    expect(strata(root, ["info"]).stdout).toMatch(new RegExp(`^ Platforms: ${host}, .*${FOREIGN[0]?.platform}`, "m"));
  });

  for (const f of [{ deb: "amd64", platform: host, uname: "x86_64", file: "x86-64" }, ...FOREIGN]) {
    it(`--platform ${f.platform}: the RUN prints ${f.uname}, the config says ${f.platform}, its busybox is ${f.file}`, () => {
      const tag = `emulated:${f.deb}`;
      const b = strata(root, ["build", "--progress", "plain", "--platform", f.platform, "-t", tag, ctx]);
      expect(b.code, b.stderr).toBe(0);
      expect(b.stderr).toContain(`${f.uname} for ${f.platform} on ${host}`);
      const [os, architecture, variant] = f.platform.split("/");
      const cfg = JSON.parse(strata(root, ["inspect", tag]).stdout)[0] as { Os: string; Architecture: string; Variant?: string };
      expect(cfg).toMatchObject({ Os: os, Architecture: architecture, ...(variant !== undefined && { Variant: variant }) });
      const run = strata(root, ["run", "--rm", tag, "cat", "/machine"]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.trim()).toBe(`${f.uname} for ${f.platform} on ${host}`);
      const ctr = `emulated-${f.deb}-${process.pid}`;
      expect(strata(root, ["create", "--name", ctr, tag, "true"]).code).toBe(0);
      const out = join(ctx, `busybox-${f.deb}`);
      const cp = strata(root, ["cp", `${ctr}:/bin/busybox`, out]);
      expect(cp.code, cp.stderr).toBe(0);
      expect(execFileSync("file", ["-b", out], { encoding: "utf8" })).toContain(f.file);
      strata(root, ["rm", ctr]);
    }, 120_000);
  }
});
