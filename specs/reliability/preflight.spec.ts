/**
 * The battery's preflight cases (../shared/design/RELIABILITY.md, issue 15 item 5):
 * - case 14: `WORKDIR /proc/self/fd/N` (N = 3..20) then `RUN ls ../../..` shows no host listing
 *   (runc's CVE-2024-21626), in a build and in `strata run -w`; and the preflight refuses a runc
 *   older than 1.1.12;
 * - case 37: runc missing or too old, and a store on overlayfs (overlay-on-overlay): a build,
 *   `run` and `start` exit 2 naming the gap, before any work (the store's files unchanged).
 *   (Rootless overlay without userxattr is not a case here: Strata runs as root.)
 * Another runc is a real executable named by STRATA_RUNC: a script that prints an old version,
 * or a path that does not exist.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRuncVersion } from "../../runtime/runc/version-check.ts";
import { strata, strataAsync } from "../helpers/strata.ts";
import { importBusybox } from "./busybox.ts";
import { storeTree } from "./store-state.ts";
import { type Arena, arena, expectClean } from "./oracle.ts";

/** A runc that prints `version` (and `commit`) for --version, and fails anything else. */
function fakeRunc(dir: string, version: string, commit = `v${version}`): string {
  const path = join(dir, `runc-${version.replace(/[^0-9a-z.]/gi, "_")}`);
  writeFileSync(path, `#!/bin/sh\nif [ "$1" = --version ]; then printf 'runc version %s\\ncommit: %s\\nspec: 1.0.2\\n' '${version}' '${commit}'; exit 0; fi\necho "fake runc: $*" >&2\nexit 99\n`);
  chmodSync(path, 0o755);
  return path;
}

async function limit<T>(n: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await (jobs[i] as () => Promise<T>)();
    }
  }));
  return out;
}

describe("reliability: the preflight (cases 14, 37)", () => {
  let a: Arena;
  beforeAll(() => {
    a = arena("preflight", { own: ["ctx", "bin"], setup: ({ root }) => importBusybox(root) });
  });
  afterAll(() => a.cleanup());

  it("case 14: WORKDIR /proc/self/fd/N (N=3..20) then RUN ls ../../.. never lists the host's root", async () => {
    // Names in the host's / that busybox's / lacks: any of them in the output is a host listing.
    const image = strata(a.root, ["run", "--rm", "busybox:latest", "ls", "-a", "/"]);
    expect(image.code, image.stderr).toBe(0);
    const hostOnly = readdirSync("/").filter((n) => !image.stdout.split("\n").includes(n));
    expect(hostOnly.length, `host / has nothing busybox lacks: ${hostOnly}`).toBeGreaterThanOrEqual(3);
    const results = await limit(3, Array.from({ length: 18 }, (_, k) => async () => {
      const n = k + 3;
      const ctx = join(a.own.ctx as string, `fd${n}`);
      mkdirSync(ctx);
      writeFileSync(join(ctx, "Dockerfile"), `FROM busybox:latest\nWORKDIR /proc/self/fd/${n}\nRUN ls -a ../../.. && echo LIST$((40+2))ED\n`);
      const build = await strataAsync(a.root, ["build", "--no-cache", "--progress", "plain", ctx]);
      // `run -w` takes the same path through runc; a few fds show it (each run costs a second).
      const run = [3, 9, 20].includes(n) ? await strataAsync(a.root, ["run", "--rm", "-w", `/proc/self/fd/${n}`, "busybox:latest", "ls", "-a", "../../.."]) : undefined;
      return { n, build, run };
    }));
    for (const { n, build, run } of results) {
      for (const [what, r] of [["build", build], ["run", run]] as const) {
        if (r === undefined) continue;
        // A listing is one name a line: on run's stdout, or as a build step's `#3 0.80 name` lines.
        const lines = `${r.stdout}\n${r.stderr}`.split("\n").map((l) => l.replace(/^#\d+ \d+\.\d+ /, "").trim());
        const leaked = hostOnly.filter((h) => lines.includes(h));
        expect(leaked, `${what} fd ${n}: ${r.stdout}${r.stderr}`).toEqual([]);
        // runc refuses the working directory; the step or container fails, nothing hangs.
        expect(r.code, `${what} fd ${n}: ${r.stderr}`).not.toBe(0);
      }
      expect(build.stderr).not.toContain("LIST42ED");
      expect(build.stderr).toMatch(/Dockerfile:3:1: error\[RUN_FAILED\]/);
    }
    expectClean(a);
  });

  it("case 14: the preflight refuses a runc older than 1.1.12 (CVE-2024-21626), exit 2, before any work", () => {
    const before = storeTree(a.root);
    writeFileSync(join(a.own.ctx as string, "Dockerfile"), "FROM busybox:latest\nRUN echo ran > /ran\n");
    for (const [v, commit] of [["1.1.11", "v1.1.11"], ["1.0.0-rc93", "v1.0.0-rc93"], ["1.1.5+ds1", "1.1.5+ds1-1"]] as const) {
      const env = { STRATA_RUNC: fakeRunc(a.own.bin as string, v, commit) };
      const b = strata(a.root, ["build", "--progress", "plain", a.own.ctx as string], { env });
      expect(b.code, b.stderr).toBe(2);
      expect(b.stderr).toContain(`strata: error[ENV_RUNC_TOO_OLD]: runc ${v} (${env.STRATA_RUNC}) is older than 1.1.12 and open to CVE-2024-21626`);
      expect(b.stderr).not.toContain("RUN echo");
      const r = strata(a.root, ["run", "--rm", "busybox:latest", "true"], { env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain("error[ENV_RUNC_TOO_OLD]");
      expect(r.stderr).not.toContain("fake runc");
    }
    expect(storeTree(a.root)).toEqual(before);
    expectClean(a);
  });

  it("case 14: which runc versions carry the fix", () => {
    const fixed = (text: string) => parseRuncVersion(text)?.fixed;
    expect(fixed("runc version 1.1.12\ncommit: v1.1.12-0-g51d5e946\n")).toBe(true);
    expect(fixed("runc version 1.2.0-rc.1\n")).toBe(true);
    expect(fixed("runc version 2.0.0\n")).toBe(true);
    expect(fixed("runc version 1.1.11\ncommit: v1.1.11\n")).toBe(false);
    expect(fixed("runc version 1.0.3\n")).toBe(false);
    // Debian 12's runc carries the fix as a backport (DSA-5615-1); the same version without it does not.
    expect(fixed("runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\n")).toBe(true);
    expect(fixed("runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1\n")).toBe(false);
    expect(parseRuncVersion("crun version 1.8\n")).toBeUndefined();
    // This machine's runc passes (the rest of the battery runs on it).
    const here = spawnSync("runc", ["--version"], { encoding: "utf8" });
    expect(fixed(here.stdout), here.stdout).toBe(true);
  });

  it("case 37: runc missing: build, run and start exit 2 naming the path, before any work", () => {
    writeFileSync(join(a.own.ctx as string, "Dockerfile"), "FROM busybox:latest\nRUN echo ran > /ran\n");
    const created = strata(a.root, ["run", "-d", "--name", "pf-start", "busybox:latest", "true"]);
    expect(created.code, created.stderr).toBe(0);
    strata(a.root, ["ps", "-a"]);
    const before = storeTree(a.root);
    for (const missing of ["/nonexistent/sbin/runc", "no-such-runc-here"]) {
      const env = { STRATA_RUNC: missing };
      const where = missing.includes("/") ? "is not there" : "is not on PATH";
      const b = strata(a.root, ["build", "--progress", "plain", a.own.ctx as string], { env });
      expect(b.code, b.stderr).toBe(2);
      expect(b.stderr.trim()).toBe(`strata: error[ENV_RUNC_MISSING]: runc not found: ${missing} ${where} (install runc 1.1.12 or later, or set STRATA_RUNC to its path)`);
      const r = strata(a.root, ["run", "--rm", "busybox:latest", "true"], { env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`error[ENV_RUNC_MISSING]: runc not found: ${missing}`);
      expect(r.stderr).not.toMatch(/strata-monitor|not found in the container/);
      const s = strata(a.root, ["start", "pf-start"], { env });
      expect(s.code, s.stderr).toBe(2);
      expect(s.stderr).toContain("error[ENV_RUNC_MISSING]");
    }
    expect(storeTree(a.root)).toEqual(before);
    expect(strata(a.root, ["rm", "-f", "pf-start"]).code).toBe(0);
    expectClean(a);
  });

  it("case 37: a store on overlayfs (overlay-on-overlay): overlayfs forced is exit 2 naming the store, before any work; unforced, a fallback snapshotter builds", async () => {
    const base = join(a.own.ctx as string, "ovl");
    for (const d of ["lower", "upper", "work", "merged"]) mkdirSync(join(base, d), { recursive: true });
    const m = spawnSync("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${base}/lower,upperdir=${base}/upper,workdir=${base}/work`, `${base}/merged`], { encoding: "utf8" });
    expect(m.status, m.stderr).toBe(0);
    const root = join(base, "merged", "store");
    try {
      // The arena's store, copied (faster than a fresh import; whiteouts and xattrs kept).
      const cp = spawnSync("cp", ["-a", a.root, root], { encoding: "utf8" });
      expect(cp.status, cp.stderr).toBe(0);
      rmSync(join(root, "overlay-ok"), { force: true });
      const before = storeTree(root);
      const env = { STRATA_SNAPSHOTTER: "overlayfs" };
      const refusal = `strata: error[ENV_SNAPSHOTTER]: STRATA_SNAPSHOTTER=overlayfs cannot be used here: the store ${root} is on overlayfs, and overlayfs cannot use an overlayfs upper dir (overlay-on-overlay): put --root (or STRATA_ROOT) on ext4, xfs, btrfs or tmpfs; unset it to fall back to another`;
      const b = strata(root, ["build", "--progress", "plain", a.own.ctx as string], { env });
      expect(b.code, b.stderr).toBe(2);
      expect(b.stderr.trim()).toBe(refusal);
      const r = strata(root, ["run", "--rm", "busybox:latest", "true"], { env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(refusal.slice("strata: ".length));
      expect(storeTree(root)).toEqual(before);
      expect(existsSync(join(root, "overlay-ok"))).toBe(false);
      expect(strata(root, ["system", "verify"]).code).toBe(0);
      // Unforced: fuse-overlayfs (or the copying snapshotter) instead, and strata info says which.
      const driver = strata(root, ["info", "-f", "{{.Driver}}"]).stdout.trim();
      expect(["fuse-overlayfs", "native"]).toContain(driver);
      const ok = strata(root, ["run", "--rm", "busybox:latest", "true"]);
      expect(ok.code, ok.stderr).toBe(0);
    } finally {
      spawnSync("umount", [`${base}/merged`]);
    }
    // The arena's own store passed, once, and keeps the record of it: later commands only read it.
    expect(readFileSync(join(a.root, "overlay-ok"), "utf8")).toMatch(/^type=[0-9a-f]+ dev=\d+ kernel=\S+\n$/);
    expect(readFileSync(join(a.root, "runc-ok"), "utf8")).toMatch(/^\/\S*\/runc ino=\d+ size=\d+ mtime=[\d.]+ ctime=[\d.]+\n1\.\S+\n$/);
    expectClean(a);
  });
});
