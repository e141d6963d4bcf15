import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { repo } from "./builders.ts";

/**
 * Strata as npm installs it, which is what users time: `npm pack` of this clone (prepack
 * builds dist/), then `npm install -g --prefix <work>/prefix` of the tarball with no dev
 * dependencies. Returns the installed `strata` command. (A clone's bin/strata.js also
 * fingerprints its ~300 sources on every start, which no user pays.)
 */
export function installPackage(work: string): string {
  const packs = join(work, "pack");
  mkdirSync(packs, { recursive: true });
  run("npm", ["pack", "--silent", "--pack-destination", packs], repo);
  const tgz = readdirSync(packs).find((f) => f.endsWith(".tgz"));
  if (!tgz) throw new Error("npm pack made no tarball");
  const prefix = join(work, "prefix");
  run("npm", ["install", "-g", "--prefix", prefix, "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", "--silent", join(packs, tgz)]);
  return join(prefix, "bin/strata");
}

function run(cmd: string, args: readonly string[], cwd?: string): void {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 256 << 20, cwd });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stderr.slice(-3000)}`);
}
