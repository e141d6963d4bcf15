import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the strata CLI (bin/strata.js) under this Node, against a store root. */
export function strata(root: string, args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(repoRoot, "bin/strata.js"), "--root", root, ...args], {
    cwd: options.cwd ?? repoRoot,
    encoding: "utf8",
    env: { ...process.env, ...options.env },
    maxBuffer: 64 << 20,
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `strata-${prefix}-`));
}

/** A fresh store root with busybox:latest imported from Debian's busybox-static. */
export function storeWithBusybox(prefix: string): { root: string; cleanup: () => void } {
  const root = tempDir(`${prefix}-root`);
  const tar = join(root, "..", `${root.split("/").pop()}-busybox.tar`);
  const mk = spawnSync("bash", [join(repoRoot, "scripts/busybox-rootfs.sh"), tar], { encoding: "utf8" });
  if (mk.status !== 0) throw new Error(`busybox-rootfs.sh failed: ${mk.stderr}`);
  const imp = strata(root, ["import", tar, "busybox:latest"]);
  rmSync(tar, { force: true });
  if (imp.code !== 0) throw new Error(`strata import failed: ${imp.stderr}`);
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
