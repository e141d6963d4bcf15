/**
 * Issue 17 item 23, platform honesty: the config's platform says what the layers are. `FROM --platform=linux/arm64 busybox` on an amd64 busybox used to
 * build silently (its RUNs printing x86_64) and label the image arm64; now a base of another
 * platform than the stage asks for is LW011 at the FROM, naming both, before anything runs. A
 * stage built on a stage has that stage's platform. A base of the asked platform builds; its RUNs
 * need this machine's platform or an emulator registered in binfmt_misc, else PLAN_PLATFORM
 * names the platform, this machine's, and what to install. The foreign image is an OCI archive
 * labelled linux/arm64 (helpers/oci-archive.ts).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostPlatform } from "../../compiler/lower/platform.ts";
import { platformWarnings, runnablePlatforms } from "../../runtime/engine/plan/platforms.ts";
import { writeLayeredArchive } from "../helpers/oci-archive.ts";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

const host = hostPlatform(process.arch);
/** A platform this machine is not (arm64 here, amd64 on an arm64 machine). */
const foreign = host === "linux/arm64" ? "linux/amd64" : "linux/arm64";
const [, foreignArch] = foreign.split("/");
const [, hostArch] = host.split("/");
const emulated = (await runnablePlatforms()).runnable.includes(foreign);

describe("a stage's platform is its layers' platform", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  const build = (name: string, lines: readonly string[]) => {
    writeFileSync(join(ctx, `${name}.Dockerfile`), [...lines, ""].join("\n"));
    return strata(root, ["build", "--progress", "plain", "-f", join(ctx, `${name}.Dockerfile`), "-t", `${name}:1`, ctx]);
  };
  const config = (ref: string) => JSON.parse(strata(root, ["inspect", ref]).stdout)[0] as { Architecture: string; Os: string };

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("platform"));
    ctx = tempDir("platform-ctx");
    writeFileSync(join(ctx, "a"), "a\n");
    writeLayeredArchive(join(ctx, "foreign.tar"), "foreign:1", 1, foreign);
    const l = strata(root, ["load", "-i", join(ctx, "foreign.tar")]);
    if (l.code !== 0) throw new Error(l.stderr);
  }, 60_000);
  afterAll(() => cleanup());

  it(`FROM --platform=${foreign} busybox (a ${host} image) is LW011 at the flag, naming both platforms and what to do, before any step`, () => {
    const b = build("asked", [`FROM --platform=${foreign} busybox`, "RUN uname -m"]);
    expect(b.code, b.stderr).toBe(1);
    expect(b.stderr).toContain(`asked.Dockerfile:1:17: error[LW011]: FROM --platform=${foreign}: busybox is a ${host} image, and the store has no ${foreign} image of it`);
    expect(b.stderr).toContain(`hint: pull its ${foreign} image first (strata pull --platform ${foreign} busybox), or drop --platform`);
    expect(b.stdout + b.stderr).not.toMatch(/x86_64|aarch64|#\d+ \[/);
    expect(strata(root, ["inspect", "asked:1"]).code).toBe(1);
  });

  it("image.ts: from(busybox, { platform }) is the same LW011, at the from() call", () => {
    writeFileSync(join(ctx, "image.ts"), `import { from, sh } from "strata-build";\nexport default from("busybox:latest", { platform: "${foreign}" }).run(sh\`uname -m\`);\n`);
    const b = strata(root, ["build", "-f", join(ctx, "image.ts"), ctx]);
    expect(b.code, b.stderr).toBe(1);
    expect(b.stderr).toContain(`image.ts:2:16: error[LW011]: FROM --platform=${foreign}: busybox:latest is a ${host} image`);
  });

  it(`COPY --from and RUN --mount from= a ${foreign} image into a ${host} stage are LW011 at the instruction`, () => {
    const copy = build("copyfrom", ["FROM busybox", "COPY --from=foreign:1 /layer/0000 /x"]);
    expect(copy.code, copy.stderr).toBe(1);
    expect(copy.stderr).toContain(`copyfrom.Dockerfile:2:1: error[LW011]: COPY reads foreign:1, a ${foreign} image, into a stage for ${host}`);
    const mount = build("mountfrom", ["FROM busybox", "RUN --mount=from=foreign:1,target=/f cat /f/layer/0000"]);
    expect(mount.code, mount.stderr).toBe(1);
    expect(mount.stderr).toContain(`mountfrom.Dockerfile:2:1: error[LW011]: RUN reads foreign:1, a ${foreign} image, into a stage for ${host}`);
  });

  it(`FROM a ${foreign} image without --platform is LW011 too: this build is for ${host}`, () => {
    const b = build("implicit", ["FROM foreign:1", "COPY a /a"]);
    expect(b.code, b.stderr).toBe(1);
    expect(b.stderr).toContain(`implicit.Dockerfile:1:6: error[LW011]: foreign:1 is a ${foreign} image, and this build is for ${host}`);
    expect(b.stderr).toContain(`hint: FROM --platform=${foreign} foreign:1 builds for ${foreign}`);
  });

  it(`FROM --platform=${foreign} of a ${foreign} image builds, and a stage built on it keeps ${foreign} in the config`, () => {
    const b = build("copied", [`FROM --platform=${foreign} foreign:1 AS base`, "COPY a /a", "FROM base", "COPY a /b"]);
    expect(b.code, b.stderr).toBe(0);
    expect(config("copied:1")).toMatchObject({ Os: "linux", Architecture: foreignArch });
    const wrong = build("restage", [`FROM --platform=${foreign} foreign:1 AS base`, `FROM --platform=${host} base`, "COPY a /b"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`restage.Dockerfile:2:17: error[LW011]: FROM --platform=${host}: stage base is built for ${foreign}`);
  });

  it.skipIf(emulated)(`a RUN of ${foreign} with no emulator registered is PLAN_PLATFORM: the platform, this machine's, what to install`, () => {
    const b = build("run", [`FROM --platform=${foreign} foreign:1`, "COPY a /a", "RUN true"]);
    expect(b.code, b.stderr).toBe(1);
    expect(b.stderr).toContain(`strata: error[PLAN_PLATFORM]: ${join(ctx, "run.Dockerfile")}:3: RUN needs ${foreign} programs run, and this machine is ${host} with no emulator for ${foreign} registered in /proc/sys/fs/binfmt_misc: install one (qemu-user-static; binfmt-support registers it), or build for ${host}`);
    expect(b.stderr).not.toMatch(/#\d+ \[/);
  });

  it(`FROM busybox with a RUN: the config says ${host}, what its RUN printed`, () => {
    const b = build("native", ["FROM busybox", "RUN uname -m > /arch"]);
    expect(b.code, b.stderr).toBe(0);
    expect(config("native:1")).toMatchObject({ Os: "linux", Architecture: hostArch });
    const r = strata(root, ["run", "--rm", "native:1", "cat", "/arch"]);
    expect(r.stdout.trim()).toBe(({ x64: "x86_64", arm64: "aarch64" } as Record<string, string>)[process.arch]);
  });
});

describe("emulators registered in binfmt_misc", () => {
  /** A binfmt_misc-like directory: qemu-user-static's handler files (name → contents). */
  function binfmt(entries: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), "strata-binfmt-"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "register"), "");
    writeFileSync(join(dir, "status"), "enabled\n");
    for (const [name, text] of Object.entries(entries)) writeFileSync(join(dir, name), text);
    return dir;
  }

  it("an enabled qemu handler makes its platform runnable; a disabled one does not", async () => {
    const dir = binfmt({
      "qemu-aarch64": "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: PF\noffset 0\nmagic 7f454c460201010000000000000000000200b700\n",
      "qemu-arm": "enabled\ninterpreter /usr/bin/qemu-arm-static\nflags: F\n",
      "qemu-riscv64": "disabled\ninterpreter /usr/bin/qemu-riscv64-static\n",
    });
    const m = await runnablePlatforms("x64", dir);
    expect(m).toEqual({ host: "linux/amd64", runnable: ["linux/amd64", "linux/386", "linux/arm64", "linux/arm/v7", "linux/arm/v6"] });
    const stage = (platform: string) => ({ index: 0, platform, base: { type: "scratch" }, steps: [{ op: { kind: "run" }, sources: [{ file: "Dockerfile", line: 2 }] }] });
    const graph = (platform: string) => ({ stages: [stage(platform)], target: 0 }) as never;
    expect(platformWarnings(graph("linux/arm64/v8"), [0], m)).toEqual([]);
    expect(platformWarnings(graph("linux/riscv64"), [0], m).map((w) => [w.code, w.fatal])).toEqual([["PLAN_PLATFORM", true]]);
  });
});
