/**
 * The battery's signal cases (../shared/design/RELIABILITY.md):
 * - case 31: SIGINT and SIGTERM while a build's RUN runs: strata exits 130 / 143 within 10 s,
 *   and leaves nothing: `runc list` (strata's runc root) is empty, nothing is mounted under
 *   the store, run/ holds no scratch dir or bundle, and no cgroup of the RUN's container is
 *   left in any hierarchy; the next command has nothing to reclaim;
 * - case 32: after a kill -9 during a RUN (and a kill -9 that left index.json's lock), the
 *   next command reclaims the runc container (its process and cgroups go too), the mounts, the
 *   scratch dir and the lock, and says what it cleaned in one line.
 * Each case first sees the container, its mounts and cgroups exist, so the checks can fail.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, startStrata, strata } from "../helpers/strata.ts";
import { importBusybox } from "./busybox.ts";
import { type Arena, arena, expectClean } from "./oracle.ts";

/** The cgroup dirs of the runc containers strata process `pid` started, in every hierarchy. */
function cgroupsOf(pid: number): string[] {
  const out: string[] = [];
  for (const h of readdirSync("/sys/fs/cgroup")) {
    const dir = join("/sys/fs/cgroup", h);
    try {
      for (const e of readdirSync(dir)) if (e.startsWith(`strata-p${pid}-`)) out.push(join(dir, e));
    } catch {
      // a file, not a hierarchy
    }
  }
  return out;
}

function mountsUnder(root: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((mp) => mp.startsWith(`${root}/`));
}

function runcList(root: string): string[] {
  const r = spawnSync("runc", ["--root", join(root, "runc"), "list", "-q"], { encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => l !== "");
}

function scratch(root: string): string[] {
  return existsSync(join(root, "run")) ? readdirSync(join(root, "run")) : [];
}

/** Starts a build whose RUN prints `running-<tag>` and sleeps; resolves once it prints. */
async function buildInRun(root: string, ctxRoot: string, tag: string): Promise<{ child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stderr: string }> }> {
  const ctx = join(ctxRoot, tag);
  mkdirSync(ctx);
  writeFileSync(join(ctx, "Dockerfile"), `FROM busybox:latest\nRUN echo running-${tag}-$((40+2)) && sleep 120\n`);
  const child = spawn(process.execPath, [join(repoRoot, "bin/strata.js"), "--root", root, "build", "--no-cache", "--progress", "plain", ctx], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stderr })));
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes(`running-${tag}-42`)) resolve();
    });
    void done.then((r) => reject(new Error(`the build ended before its RUN printed: ${r.code} ${r.stderr}`)));
  });
  return { child, done };
}

describe("reliability: signals and kill -9 during a RUN (cases 31, 32)", () => {
  let a: Arena;
  beforeAll(() => {
    a = arena("signals", { own: ["ctx"], setup: ({ root }) => importBusybox(root) });
  });
  afterAll(() => a.cleanup());

  for (const [sig, exit] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it(`case 31: ${sig} during a RUN: exit ${exit} within 10 s; no runc container, mount, bundle or cgroup left`, async () => {
      const { child, done } = await buildInRun(a.root, a.own.ctx as string, sig.toLowerCase());
      const pid = child.pid as number;
      expect(runcList(a.root)).toHaveLength(1);
      expect(cgroupsOf(pid).length, "the RUN's cgroups").toBeGreaterThan(0);
      expect(mountsUnder(a.root).length, "the RUN's mounts").toBeGreaterThan(0);
      expect(scratch(a.root).length, "the RUN's scratch dir").toBeGreaterThan(0);
      const t = Date.now();
      child.kill(sig);
      const r = await done;
      expect(Date.now() - t, "time to exit").toBeLessThan(10_000);
      expect(r.code, r.stderr).toBe(exit);
      expect(r.stderr).not.toMatch(/\n\s+at .*\.ts:\d+/);
      expect(runcList(a.root)).toEqual([]);
      expect(cgroupsOf(pid)).toEqual([]);
      expect(mountsUnder(a.root)).toEqual([]);
      expect(scratch(a.root)).toEqual([]);
      // It cleaned up after itself: the next command finds nothing to reclaim.
      const next = strata(a.root, ["images"]);
      expect(next.code).toBe(0);
      expect(next.stderr).not.toContain("reclaimed");
      expectClean(a);
    }, 60_000);
  }

  it("case 32: after kill -9 during a RUN, the next command reclaims the container, its mounts, scratch dir and cgroups, and a stale lock, and says so", async () => {
    const { child, done } = await buildInRun(a.root, a.own.ctx as string, "kill9");
    const pid = child.pid as number;
    const [rid] = runcList(a.root);
    const state = JSON.parse(readFileSync(join(a.root, "runc", rid as string, "state.json"), "utf8")) as { init_process_pid: number };
    // A second victim, while the build still lives (each command reclaims the dead at its start):
    // a tag killed while it holds index.json's lock.
    const tag = await startStrata(a.root, ["tag", "busybox:latest", "sig/killed:1"], { env: { STRATA_FAILPOINT: "rename-tag" } }).done;
    expect(tag.signal).toBe("SIGKILL");
    expect(existsSync(join(a.root, "index.json.lock"))).toBe(true);
    child.kill("SIGKILL");
    await done;
    // What they left: the container still runs, mounted, in its cgroups.
    expect(runcList(a.root)).toEqual([rid]);
    expect(existsSync(`/proc/${state.init_process_pid}`), "the RUN's process outlived strata").toBe(true);
    expect(cgroupsOf(pid).length).toBeGreaterThan(0);
    const mounts = mountsUnder(a.root).length;
    expect(mounts).toBeGreaterThan(0);

    const next = strata(a.root, ["images"]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr.trim()).toBe(`strata: reclaimed what an interrupted strata process left: ${mounts} mounts, 1 runc containers, 1 scratch dirs, 0 partial files, 1 stale locks`);
    expect(runcList(a.root)).toEqual([]);
    expect(cgroupsOf(pid)).toEqual([]);
    expect(mountsUnder(a.root)).toEqual([]);
    expect(scratch(a.root)).toEqual([]);
    expect(existsSync(join(a.root, "index.json.lock"))).toBe(false);
    // The RUN's process is gone with its container (a zombie of nobody's would still have /proc/PID/stat; check its state).
    const st = existsSync(`/proc/${state.init_process_pid}/stat`) ? readFileSync(`/proc/${state.init_process_pid}/stat`, "utf8") : "";
    expect(st === "" || / Z /.test(st) || !st.includes("(sleep)"), st).toBe(true);
    // Reclaimed once: the command after that has nothing to say.
    expect(strata(a.root, ["images"]).stderr).toBe("");
    expect(strata(a.root, ["tag", "busybox:latest", "sig/after:1"]).code).toBe(0);
    expectClean(a);
  }, 60_000);
});
