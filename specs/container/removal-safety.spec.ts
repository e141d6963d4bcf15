import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, strataAsync, tempDir } from "../helpers/strata.ts";
import { mountsUnder, removeAllContainers } from "./helpers.ts";

/**
 * Removal that races nothing: `rm -f` of a busy container, again and again,
 * leaves no directory, mount or name behind (it once failed with ENOTEMPTY:
 * the monitor was still writing the exit record into the dir being removed);
 * `rmi -f` never deletes an image a running container uses (docker's
 * "cannot be forced").
 */
describe("removal safety", () => {
  let root: string;
  let cleanup: () => void;

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("removal"));
  });

  afterAll(() => {
    removeAllContainers(root);
    expect(mountsUnder(root)).toEqual([]);
    cleanup();
  });

  const containerDirs = (): string[] => readdirSync(join(root, "containers")).filter((d) => /^[a-f0-9]{64}$/.test(d));

  it("rm -f of a busy container, 20 times (four at once), leaves nothing behind", { timeout: 400_000 }, async () => {
    for (let round = 0; round < 5; round++) {
      const started = await Promise.all([0, 1, 2, 3].map(() => strataAsync(root, ["run", "-d", "busybox", "sh", "-c", "while :; do echo busy > /tmp/f; cat /tmp/f > /dev/null; done"])));
      const ids = started.map((r) => {
        expect(r.code, r.stderr).toBe(0);
        return r.stdout.trim();
      });
      const results = await Promise.all(ids.map((id) => strataAsync(root, ["rm", "-f", id])));
      for (const [i, r] of results.entries()) {
        expect(r.stderr, `round ${round}`).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(`${ids[i]}\n`);
        expect(existsSync(join(root, "containers", ids[i] as string))).toBe(false);
      }
    }
    expect(containerDirs()).toEqual([]);
    expect(readdirSync(join(root, "containers", "names"))).toEqual([]);
    expect(mountsUnder(root)).toEqual([]);
  });

  it("rm -f returns only once the container's monitor is done with its dir (a monitor slow to record the exit)", () => {
    // A runc that lingers after `runc run` ends: the monitor's exit record and unmount come 1.5 s after the process died.
    const shim = join(tempDir("runc-slow"), "runc");
    const real = spawnSync("sh", ["-c", "command -v runc"], { encoding: "utf8" }).stdout.trim();
    writeFileSync(shim, `#!/bin/sh\n${real} "$@"\nrc=$?\ncase " $* " in *" run "*) sleep 1.5;; esac\nexit $rc\n`, { mode: 0o755 });
    const env = { STRATA_RUNC: shim };
    const up = strata(root, ["run", "-d", "busybox", "sleep", "300"], { env });
    expect(up.code, up.stderr).toBe(0);
    const id = up.stdout.trim();
    const rm = strata(root, ["rm", "-f", id], { env });
    expect(rm.code, rm.stderr).toBe(0);
    // No process names the container's dir any more (the monitor's argv does while it runs).
    const dir = join(root, "containers", id);
    const holders = readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(dir);
        } catch {
          return false;
        }
      });
    expect(holders).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    rmSync(dirname(shim), { recursive: true, force: true });
  });

  it("rm -f of a container that has just ended by itself", () => {
    for (let i = 0; i < 5; i++) {
      const r = strata(root, ["run", "-d", "busybox", "sh", "-c", "exit 3"]);
      expect(r.code, r.stderr).toBe(0);
      const rm = strata(root, ["rm", "-f", r.stdout.trim()]);
      expect(rm.stderr).toBe("");
      expect(rm.code).toBe(0);
    }
    expect(containerDirs()).toEqual([]);
  });

  it("rmi -f refuses an image a running container uses, in docker's words; by name it only untags", () => {
    expect(strata(root, ["tag", "busybox:latest", "keep:1"]).code).toBe(0);
    const up = strata(root, ["run", "-d", "keep:1", "sleep", "300"]);
    expect(up.code, up.stderr).toBe(0);
    const cid = up.stdout.trim().slice(0, 12);
    const iid = strata(root, ["images", "-q", "keep:1"]).stdout.trim();
    expect(iid).toMatch(/^[a-f0-9]{12}$/);

    const byId = strata(root, ["rmi", "-f", iid]);
    expect(byId.code).toBe(1);
    expect(byId.stderr).toBe(`strata: error[IMAGE_IN_USE]: conflict: unable to delete ${iid} (cannot be forced) - image is being used by running container ${cid}\n`);
    expect(byId.stdout).toBe("");
    expect(strata(root, ["images", "-q", "keep:1"]).stdout.trim()).toBe(iid);

    // Without -f, the last name of an image a container uses is kept (docker's "must force").
    expect(strata(root, ["rmi", "busybox:latest"]).stdout).toBe("Untagged: busybox:latest\n");
    const lastName = strata(root, ["rmi", "keep:1"]);
    expect(lastName.code).toBe(1);
    expect(lastName.stderr).toBe(`strata: error[IMAGE_IN_USE]: conflict: unable to remove repository reference "keep:1" (must force) - container ${cid} is using its referenced image ${iid}\n`);

    // -f by name untags; the image stays, as <none>, and the container goes on and can exec.
    const untag = strata(root, ["rmi", "-f", "keep:1"]);
    expect(untag.code, untag.stderr).toBe(0);
    expect(untag.stdout).toBe("Untagged: keep:1\n");
    const images = strata(root, ["images", "-a"]).stdout;
    expect(images).toMatch(new RegExp(`<none>\\s+<none>\\s+${iid}`));
    expect(strata(root, ["exec", cid, "echo", "still"]).stdout).toBe("still\n");

    // Stopped, the image is deleted with -f only.
    expect(strata(root, ["stop", "-t", "0", cid]).code).toBe(0);
    const stopped = strata(root, ["rmi", iid]);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toBe(`strata: error[IMAGE_IN_USE]: conflict: unable to delete ${iid} (must be forced) - image is being used by stopped container ${cid}\n`);
    const forced = strata(root, ["rmi", "-f", iid]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/^Deleted: sha256:[a-f0-9]{64}\n$/);
    expect(strata(root, ["rm", cid]).code).toBe(0);
  });
});
