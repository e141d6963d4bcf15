/**
 * Strata as an ordinary user, for the rootless specs (issue 20): the user `strata-rootless` that
 * scripts/rootless-user.sh makes (CI runs it before the tests, as root), with a subordinate id
 * range. `asUser` runs bin/strata.js as that user through runuser, with a clean environment of
 * its own (HOME, PATH, no XDG_RUNTIME_DIR of root's), so the command takes rootless mode by
 * itself. `describeRootless` runs its specs where that is possible (root, the user, runuser,
 * newuidmap, and a checkout the user can read) and otherwise prints one notice and skips; under CI
 * a missing piece is a failure, as for ../shared (shared-data.ts).
 */
import { spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import type { CliResult } from "./strata.ts";
import { repoRoot, startProcess } from "./strata.ts";

export const ROOTLESS_USER = "strata-rootless";
/** A user scripts/rootless-user.sh makes with no subordinate range, for the refusal. */
export const NO_SUBID_USER = "strata-nosubid";

interface UserIds {
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export function userIds(name: string): UserIds | undefined {
  const r = spawnSync("getent", ["passwd", name], { encoding: "utf8" });
  const f = r.stdout.trim().split(":");
  if (r.status !== 0 || f.length < 7) return undefined;
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] as string };
}

/** Why the rootless specs cannot run here, or undefined when they can. */
function missing(): string | undefined {
  if (process.getuid?.() !== 0) return "they run as root (to act as another user)";
  if (userIds(ROOTLESS_USER) === undefined) return `user ${ROOTLESS_USER} is missing (scripts/rootless-user.sh makes it)`;
  if (spawnSync("sh", ["-c", "command -v runuser && command -v newuidmap"]).status !== 0) return "runuser or newuidmap is missing (apt-get install uidmap)";
  const read = spawnSync("runuser", ["-u", ROOTLESS_USER, "--", "test", "-r", join(repoRoot, "bin/strata.js"), "-a", "-x", process.execPath]);
  if (read.status !== 0) return `${ROOTLESS_USER} cannot read this checkout (${repoRoot}) or run ${process.execPath}: clone it where other users can read`;
  return undefined;
}

let noticed = false;

export function describeRootless(name: string, body: () => void): void {
  const why = missing();
  if (why === undefined) {
    describe(name, body);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it("can run as an ordinary user", () => {
        throw new Error(`rootless specs cannot run: ${why} (CI is set, so they may not skip)`);
      });
    });
    return;
  }
  if (!noticed) process.stderr.write(`notice: skipping the rootless specs: ${why}\n`);
  noticed = true;
  describe.skip(name, body);
}

/** A fresh directory under the temp dir owned by `user` (for its store and files). */
export function userDir(prefix: string, user = ROOTLESS_USER): string {
  const dir = mkdtempSync(join(tmpdir(), `strata-${prefix}-`));
  const ids = userIds(user);
  if (ids !== undefined) chownSync(dir, ids.uid, ids.gid);
  return dir;
}

function argvFor(user: string, args: readonly string[], env: Record<string, string>): string[] {
  const ids = userIds(user);
  const base = { HOME: ids?.home ?? "/tmp", PATH: "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", LANG: "C.UTF-8" };
  const vars = Object.entries({ ...base, ...env }).map(([k, v]) => `${k}=${v}`);
  return ["-u", user, "--", "env", "-i", ...vars, process.execPath, "--", join(repoRoot, "bin/strata.js"), ...args];
}

export interface AsUserOptions {
  readonly user?: string;
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly input?: string;
}

/** Runs `strata ARGS` as the user (rootless by itself), waiting for it. */
export async function asUser(args: readonly string[], o: AsUserOptions = {}): Promise<CliResult> {
  const { code, stdout, stderr } = await startProcess("runuser", argvFor(o.user ?? ROOTLESS_USER, args, o.env ?? {}), { ...(o.cwd !== undefined && { cwd: o.cwd }), ...(o.input !== undefined && { input: o.input }) }).done;
  return { code, stdout, stderr };
}

/**
 * A store of the user's with root's busybox:latest in it (the very image: imported by root from
 * Debian's busybox-static, saved, loaded by the user), and root's store beside it.
 */
export async function userStoreWithBusybox(prefix: string): Promise<{ root: string; userRoot: string; cleanup: () => void }> {
  const { storeWithBusybox, strataAsync } = await import("./strata.ts");
  const rootStore = storeWithBusybox(`${prefix}-root`);
  const dir = userDir(`${prefix}-base`);
  const tar = join(dir, "busybox.tar");
  const saved = await strataAsync(rootStore.root, ["save", "-o", tar, "busybox:latest"]);
  if (saved.code !== 0) throw new Error(`strata save failed: ${saved.stderr}`);
  chownSync(tar, userIds(ROOTLESS_USER)?.uid ?? 0, userIds(ROOTLESS_USER)?.gid ?? 0);
  const userRoot = userDir(`${prefix}-store`);
  const loaded = await asUser(["--root", userRoot, "load", "-i", tar]);
  rmSync(dir, { recursive: true, force: true });
  if (loaded.code !== 0) throw new Error(`strata load as ${ROOTLESS_USER} failed: ${loaded.stderr}`);
  return {
    root: rootStore.root,
    userRoot,
    cleanup: () => {
      rootStore.cleanup();
      rmSync(userRoot, { recursive: true, force: true });
    },
  };
}
