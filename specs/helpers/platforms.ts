/**
 * What the multi-platform specs share: the foreign platforms this machine can run (qemu-user-static's
 * emulators registered by scripts/binfmt.sh, which npm test runs as root), whether those specs can
 * run here, and build contexts of per-architecture rootfs tarballs made from Debian's
 * busybox-static (scripts/foreign-busybox.sh), for a `FROM scratch` + `ADD rootfs-$TARGETARCH.tar /` base.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { hostPlatform } from "../../compiler/lower/platform.ts";
import { runnablePlatforms } from "../../runtime/engine/plan/platforms.ts";

export const host = hostPlatform(process.arch);

export interface ForeignPlatform {
  /** Debian's architecture name. */
  readonly deb: string;
  readonly platform: string;
  /** TARGETARCH. */
  readonly arch: string;
  readonly uname: string;
  /** What `file -b` says of its binaries. */
  readonly file: string;
}

export const AMD64: ForeignPlatform = { deb: "amd64", platform: "linux/amd64", arch: "amd64", uname: "x86_64", file: "x86-64" };
const ALL: readonly ForeignPlatform[] = [
  { deb: "arm64", platform: "linux/arm64", arch: "arm64", uname: "aarch64", file: "ARM aarch64" },
  { deb: "armhf", platform: "linux/arm/v7", arch: "arm", uname: "armv7l", file: "ARM, EABI5" },
];

const runnable = (await runnablePlatforms()).runnable;
/** The foreign platforms this machine runs (none unless it is amd64 with the emulators registered). */
export const FOREIGN: readonly ForeignPlatform[] = host !== "linux/amd64" ? [] : ALL.filter((f) => runnable.includes(f.platform));

/** Whether a spec that builds for arm64 under emulation runs here; if not, says why on stderr, naming the spec. */
export function emulationReady(spec: string): boolean {
  const ready = process.getuid?.() === 0 && FOREIGN.some((f) => f.platform === "linux/arm64");
  if (!ready) process.stderr.write(`${spec}: skipped: needs root on amd64 with qemu-user-static's arm64 emulator registered (scripts/binfmt.sh, which npm test runs as root)\n`);
  return ready;
}

/** Writes `ctx/rootfs-ARCH.tar` for amd64 and each of `foreign` (default: every foreign platform here): busybox, /tmp and links for `tools`. */
export function writeRootfsTarballs(ctx: string, o: { tools?: readonly string[]; foreign?: readonly ForeignPlatform[] } = {}): void {
  const tools = o.tools ?? ["sh", "uname", "cat", "echo", "true"];
  const one = (arch: string, busybox: string): void => {
    const dir = join(ctx, `rootfs-${arch}`);
    mkdirSync(join(dir, "bin"), { recursive: true });
    mkdirSync(join(dir, "tmp"));
    execFileSync("cp", [busybox, join(dir, "bin", "busybox")]);
    for (const t of tools) symlinkSync("busybox", join(dir, "bin", t));
    execFileSync("tar", ["-C", dir, "-cf", join(ctx, `rootfs-${arch}.tar`), "."]);
    execFileSync("rm", ["-rf", dir]);
  };
  one("amd64", "/bin/busybox");
  for (const f of o.foreign ?? FOREIGN) one(f.arch, join(execFileSync("bash", ["scripts/foreign-busybox.sh", f.deb], { encoding: "utf8" }).trim(), "bin", "busybox"));
}

/** linux/arm64, the foreign platform the multi-platform specs build with amd64. */
export const ARM64 = ALL[0] as ForeignPlatform;

/** The first stage of the specs' Dockerfiles: the rootfs of the platform being built. */
export const ROOTFS_STAGE = ["FROM scratch AS base", "ARG TARGETARCH", "ADD rootfs-$TARGETARCH.tar /"];
