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
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AMD64, emulationReady, FOREIGN, host, ROOTFS_STAGE, writeRootfsTarballs } from "../helpers/platforms.ts";
import { strata, tempDir } from "../helpers/strata.ts";

describe.skipIf(!emulationReady("emulated.spec"))("RUN for a foreign platform runs under qemu-user-static", () => {
  let root: string;
  let ctx: string;

  beforeAll(() => {
    root = tempDir("emulated-store");
    ctx = tempDir("emulated-ctx");
    writeRootfsTarballs(ctx);
    writeFileSync(join(ctx, "Dockerfile"), [...ROOTFS_STAGE, "FROM base", "ARG TARGETPLATFORM BUILDPLATFORM", 'RUN echo "$(uname -m) for $TARGETPLATFORM on $BUILDPLATFORM" > /machine && cat /machine', ""].join("\n"));
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

  for (const f of [AMD64, ...FOREIGN]) {
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
