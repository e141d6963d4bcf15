/**
 * The Snapshotter contract inside a user namespace: kernel overlayfs (`userxattr` mounts, marks
 * under user.overlay.*), the copying snapshotter, and fuse-overlayfs where /dev/fuse opens for
 * an ordinary user: as root, this file runs itself again through vitest as the
 * ordinary user strata-rootless inside `unshare --map-user=0 --map-users=<its subuid range>
 * --mount` (where it is uid 0 of a user namespace), and passes when every case of that run passes.
 * Inside, it is the contract itself. Without the user, runuser or newuidmap it skips with a notice
 * (a failure under CI: specs/helpers/rootless.ts).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { inUserNamespace } from "../../runtime/fs/userns.ts";
import { fuseUnavailable } from "../../runtime/snapshot/select.ts";
import { describeRootless, ROOTLESS_USER } from "../helpers/rootless.ts";
import { repoRoot } from "../helpers/strata.ts";
import { snapshotterContract } from "./snapshotter.contract.ts";
import { subject } from "./snapshotter-subject.ts";

const SELF = "specs/contracts/snapshotter-userns.spec.ts";

/** The user's first subordinate range of /etc/subuid (or subgid) as unshare's `inner,outer,count`. */
function range(file: string): string {
  const line = readFileSync(file, "utf8").split("\n").find((l) => l.startsWith(`${ROOTLESS_USER}:`));
  const [, start, count] = (line ?? `${ROOTLESS_USER}:0:0`).split(":");
  return `${start},1,${Math.min(Number(count), 65536)}`;
}

if (inUserNamespace()) {
  snapshotterContract("overlayfs in a user namespace", subject("overlayfs"));
  snapshotterContract("native in a user namespace", subject("native"));
  // Only where /dev/fuse is open to ordinary users (here it is 0600 root's unless chmodded).
  if ((await fuseUnavailable()) === undefined) snapshotterContract("fuse-overlayfs in a user namespace", subject("fuse-overlayfs"));
} else {
  describeRootless("Snapshotter contract: overlayfs in a user namespace", () => {
    it("passes as an ordinary user inside unshare (uid 0 of a user namespace)", () => {
      const vitest = join(repoRoot, "node_modules/vitest/vitest.mjs");
      const inner = ["unshare", "--map-user=0", "--map-group=0", `--map-users=${range("/etc/subuid")}`, `--map-groups=${range("/etc/subgid")}`, "--mount", "--propagation", "private"];
      const cmd = [...inner, "env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME=/tmp", "TMPDIR=/tmp", process.execPath, vitest, "run", "--configLoader", "runner", "--no-color", SELF];
      const r = spawnSync("runuser", ["-u", ROOTLESS_USER, "--", ...cmd], { cwd: repoRoot, encoding: "utf8", timeout: 300_000 });
      const out = `${r.stdout}\n${r.stderr}`;
      expect(r.status, out).toBe(0);
      expect(out).toMatch(/Tests\s+(28|42) passed/);
      expect(out).not.toMatch(/failed|skipped/);
    });
  });
}
