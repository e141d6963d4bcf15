import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { measure, type Sample } from "./measure.ts";

export const repo = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** One tool that builds a Dockerfile directory, with its own store. */
export interface Builder {
  readonly name: string;
  /** Imports a rootfs tarball as `name`. */
  importBase(tar: string, name: string): void;
  /** Builds `ctx`, from `file` when given (`-f`). */
  build(ctx: string, tag: string, file?: string): Sample;
  /** A build with plain progress, its output (Strata only). */
  plain?(ctx: string, tag: string): string;
  /** Forgets everything (store and cache) for a cold build. */
  reset(): void;
}

const fileArgs = (file: string | undefined): string[] => (file === undefined ? [] : ["-f", file]);

function sh(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
}

/**
 * Strata with its own store, run as the installed command `strata` (bench/lib/install.ts);
 * `flags` are added to each build (e.g. --no-merge, a builder of its own).
 */
export function strataBuilder(dir: string, strata: string, flags: readonly string[] = []): Builder {
  const root = join(dir, `strata-root${flags.join("")}`);
  const cli = (args: string[]) => ["--root", root, ...args];
  const bases: [string, string][] = [];
  return {
    name: ["strata", ...flags].join(" "),
    importBase(tar, name) {
      bases.push([tar, name]);
      sh(strata, cli(["import", tar, name]));
    },
    build(ctx, tag, file) {
      return measure(strata, cli(["build", "--progress", "quiet", ...flags, ...fileArgs(file), "-t", tag, ctx]));
    },
    plain(ctx, tag) {
      const r = spawnSync(strata, cli(["build", "--progress", "plain", ...flags, "-t", tag, ctx]), { encoding: "utf8", maxBuffer: 256 << 20 });
      return `${r.stdout}${r.stderr}`;
    },
    reset() {
      sh("rm", ["-rf", root]);
      for (const [tar, name] of bases) sh(strata, cli(["import", tar, name]));
    },
  };
}

/** buildah with its overlay storage driver, as the peer to beat. */
export function buildahBuilder(dir: string): Builder {
  const root = join(dir, "buildah-root");
  const runroot = join(dir, "buildah-runroot");
  const storage = ["--root", root, "--runroot", runroot, "--storage-driver", "overlay"];
  const bases: [string, string][] = [];
  const load = (tar: string, name: string): void => {
    const ctr = spawnSync("buildah", [...storage, "from", "scratch"], { encoding: "utf8" }).stdout.trim();
    sh("buildah", [...storage, "add", ctr, tar, "/"]);
    sh("buildah", [...storage, "commit", "-q", ctr, name]);
    sh("buildah", [...storage, "rm", ctr]);
  };
  return {
    name: "buildah",
    importBase(tar, name) {
      bases.push([tar, name]);
      load(tar, name);
    },
    build(ctx, tag, file) {
      return measure("buildah", [...storage, "build", "--layers", "--isolation", "oci", "-q", ...fileArgs(file), "-t", tag, ctx]);
    },
    reset() {
      spawnSync("buildah", [...storage, "rm", "--all"]);
      spawnSync("buildah", [...storage, "rmi", "--all", "--force"]);
      for (const [tar, name] of bases) load(tar, name);
    },
  };
}
