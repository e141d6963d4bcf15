import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { measure, type Sample } from "./measure.ts";

export const repo = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** One tool that builds a Dockerfile directory, with its own store. */
export interface Builder {
  readonly name: string;
  /** Imports a rootfs tarball as `name`. */
  /** Imports a rootfs tarball as image `name`, of `platform` (default: this machine's). */
  importBase(tar: string, name: string, platform?: string): void;
  /** Builds `ctx`, from `file` when given (`-f`), for `platform` when given (`--platform`). */
  build(ctx: string, tag: string, file?: string, platform?: string): Sample;
  /** A build with plain progress, its output (Strata only). */
  plain?(ctx: string, tag: string): string;
  /** Forgets everything (store and cache) for a cold build. */
  reset(): void;
}

const fileArgs = (file: string | undefined): string[] => (file === undefined ? [] : ["-f", file]);
const platformArgs = (platform: string | undefined): string[] => (platform === undefined ? [] : ["--platform", platform]);

function sh(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
}

/**
 * Who a builder runs as: root (the bench's own user), or an ordinary user through runuser, with a
 * clean environment (rootless) but for this Node first on the PATH, as root's builders have it.
 */
export type RunAs = { readonly user: string; readonly home: string } | undefined;

/** An empty directory at `dir` that `runAs` owns (a store root it makes its files in). */
export function freshDir(dir: string, runAs: RunAs): void {
  sh("rm", ["-rf", dir]);
  sh("mkdir", ["-p", dir]);
  if (runAs !== undefined) sh("chown", [runAs.user, dir]);
}

/** `cmd args` as `runAs` would run it. */
export function asRunner(runAs: RunAs, cmd: string, args: readonly string[]): [string, string[]] {
  if (runAs === undefined) return [cmd, [...args]];
  return ["runuser", ["-u", runAs.user, "--", "env", "-i", `HOME=${runAs.home}`, `PATH=${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`, cmd, ...args]];
}

/**
 * Strata with its own store, run as the installed command `strata` (bench/lib/install.ts);
 * `flags` are added to each build (e.g. --no-merge, a builder of its own).
 */
export function strataBuilder(dir: string, strata: string, flags: readonly string[] = [], runAs: RunAs = undefined): Builder {
  const root = join(dir, `strata-root${flags.join("")}${runAs === undefined ? "" : "-rootless"}`);
  const cli = (args: string[]) => asRunner(runAs, strata, ["--root", root, ...args]);
  const bases: [string, string, string | undefined][] = [];
  freshDir(root, runAs);
  return {
    name: [runAs === undefined ? "strata" : "strata rootless", ...flags].join(" "),
    importBase(tar, name, platform) {
      bases.push([tar, name, platform]);
      sh(...cli(["import", ...platformArgs(platform), tar, name]));
    },
    build(ctx, tag, file, platform) {
      return measure(...cli(["build", "--progress", "quiet", ...flags, ...platformArgs(platform), ...fileArgs(file), "-t", tag, ctx]));
    },
    plain(ctx, tag) {
      const r = spawnSync(...cli(["build", "--progress", "plain", ...flags, "-t", tag, ctx]), { encoding: "utf8", maxBuffer: 256 << 20 });
      return `${r.stdout}${r.stderr}`;
    },
    reset() {
      freshDir(root, runAs);
      for (const [tar, name, platform] of bases) sh(...cli(["import", ...platformArgs(platform), tar, name]));
    },
  };
}

/**
 * buildah with its overlay storage driver, as the peer to beat. Rootless (runAs), buildah uses
 * the kernel's overlay in its user namespace and the host network for RUN (rootless CNI cannot
 * make a bridge), as rootless Strata's RUN has by default.
 */
export function buildahBuilder(dir: string, runAs: RunAs = undefined): Builder {
  const root = join(dir, runAs === undefined ? "buildah-root" : "buildah-root-rootless");
  const runroot = join(dir, runAs === undefined ? "buildah-runroot" : "buildah-runroot-rootless");
  const storage = ["--root", root, "--runroot", runroot, "--storage-driver", "overlay"];
  const buildah = (args: string[]) => asRunner(runAs, "buildah", [...storage, ...args]);
  const network = runAs === undefined ? [] : ["--network", "host"];
  freshDir(root, runAs);
  freshDir(runroot, runAs);
  const bases: [string, string, string | undefined][] = [];
  const load = (tar: string, name: string, platform: string | undefined): void => {
    const ctr = spawnSync(...buildah(["from", "scratch"]), { encoding: "utf8" }).stdout.trim();
    sh(...buildah(["add", ctr, tar, "/"]));
    if (platform !== undefined) {
      const [os = "linux", arch = "amd64", variant] = platform.split("/");
      sh(...buildah(["config", "--os", os, "--arch", arch, ...(variant === undefined ? [] : ["--variant", variant]), ctr]));
    }
    sh(...buildah(["commit", "-q", ctr, name]));
    sh(...buildah(["rm", ctr]));
  };
  return {
    name: runAs === undefined ? "buildah" : "buildah rootless",
    importBase(tar, name, platform) {
      bases.push([tar, name, platform]);
      load(tar, name, platform);
    },
    build(ctx, tag, file, platform) {
      // Several platforms: buildah names the images by a manifest list (--manifest), as Strata by an index.
      const name = platform?.includes(",") ? ["--manifest", tag] : ["-t", tag];
      return measure(...buildah(["build", "--layers", "--isolation", "oci", ...network, ...platformArgs(platform), "-q", ...fileArgs(file), ...name, ctx]));
    },
    reset() {
      spawnSync(...buildah(["rm", "--all"]));
      spawnSync(...buildah(["rmi", "--all", "--force"]));
      for (const [tar, name, platform] of bases) load(tar, name, platform);
    },
  };
}
