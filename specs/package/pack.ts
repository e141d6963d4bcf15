/**
 * The package as a user gets it: `npm pack` of a copy of the checkout (its
 * tracked and untracked-but-not-ignored files, node_modules linked for the
 * build tools), so the pack's `prepack` build never races a spec that reads
 * the checkout's own dist/; then `npm install -g --prefix` of the tarball,
 * which installs no dev dependency.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../helpers/strata.ts";

export interface Packed {
  /** The tarball. */
  readonly tarball: string;
  /** The global prefix it is installed under: `<prefix>/bin/strata`. */
  readonly prefix: string;
  /** The installed package's folder. */
  readonly installed: string;
}

/** Packs the checkout and installs the tarball under a fresh prefix. */
export function packAndInstall(name: string): Packed {
  const work = mkdtempSync(join(tmpdir(), `strata-${name}-`));
  const copy = join(work, "src");
  execFileSync("bash", ["-c", `mkdir -p "${copy}" && git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "${copy}"`], { cwd: repoRoot });
  symlinkSync(join(repoRoot, "node_modules"), join(copy, "node_modules"));
  const npmEnv = { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };
  execFileSync("npm", ["pack", "--silent", "--pack-destination", work], { cwd: copy, env: npmEnv, stdio: ["ignore", "ignore", "inherit"] });
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith(".tgz")) as string);
  const prefix = join(work, "prefix");
  execFileSync("npm", ["install", "-g", "--prefer-offline", "--prefix", prefix, tarball], { env: npmEnv, stdio: ["ignore", "ignore", "inherit"] });
  return { tarball, prefix, installed: join(prefix, "lib/node_modules/strata-build") };
}
