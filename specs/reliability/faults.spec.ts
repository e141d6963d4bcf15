/**
 * The battery's kill -9 cases (../shared/design/RELIABILITY.md):
 * - case 30: a strata process SIGKILLed at each failpoint (runtime/fs/failpoint.ts, the
 *   test-only STRATA_FAILPOINT): download, fsync→rename, rename→tag, extract, RUN, push,
 *   save. After each: the next command reclaims what it left in tmp/ and run/, `verify`
 *   passes (no blob that does not hash to its name), `system prune` brings blobs/ back to what
 *   it held before (the orphans go), and the same command again succeeds with the same digest
 *   (a pull, a rebuild, a push, a save);
 * - case 41: a locked store: a second process waits for a live owner and names its pid when
 *   it gives up; a lock a kill -9 left behind is taken over at once.
 * One store (busybox seeded) and one registry on 127.0.0.1; each step names its own images.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withLock } from "../../runtime/store/lock.ts";
import { type CliResult, repoRoot, startStrata, strata, strataAsync } from "../helpers/strata.ts";
import { startRegistry, type TestRegistry } from "../registry/helpers.ts";
import { importBusybox } from "./busybox.ts";
import { type Arena, arena, expectClean } from "./oracle.ts";

const SDE = { SOURCE_DATE_EPOCH: "1700000000" };

/** Runs strata with the failpoint armed; it must die of SIGKILL there. */
async function killedAt(root: string, point: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const r = await startStrata(root, args, { env: { ...env, STRATA_FAILPOINT: point } }).done;
  expect(r.signal, `${point}: ${args.join(" ")} was not killed: exit ${r.code}\n${r.stderr}`).toBe("SIGKILL");
  return r;
}

/** blobs/ once prune has run: what the named images and the build cache need. */
function settled(root: string): string[] {
  ok(strata(root, ["system", "prune", "-f"]), "prune before the kill");
  return blobs(root);
}

function blobs(root: string): string[] {
  return readdirSync(join(root, "blobs", "sha256")).sort();
}

/** What a killed process can leave: ingest files in tmp/, scratch dirs in run/, runc state. */
function leftovers(root: string): string[] {
  const list = (d: string) => (existsSync(join(root, d)) ? readdirSync(join(root, d)).map((n) => `${d}/${n}`) : []);
  return [...list("tmp"), ...list("run"), ...list("runc").filter((n) => !n.startsWith("runc/strata-c-"))];
}

/** `push` prints NAME@DIGEST. */
function pushedDigest(r: CliResult): string {
  const m = /@(sha256:[a-f0-9]{64})\s*$/.exec(r.stdout);
  expect(m, r.stdout).not.toBeNull();
  return (m as RegExpExecArray)[1] as string;
}

function ok(r: CliResult, what: string): CliResult {
  expect(r.code, `${what}: ${r.stdout}${r.stderr}`).toBe(0);
  return r;
}

/** The next command reclaims the leftovers; verify passes; prune takes blobs/ back to `before`. */
function recovers(a: Arena, before: readonly string[], point: string): void {
  const next = ok(strata(a.root, ["images"]), `${point}: the next command`);
  expect(leftovers(a.root), `${point}: left after the next command (${next.stderr})`).toEqual([]);
  expectClean(a);
  ok(strata(a.root, ["system", "prune", "-f"]), `${point}: prune`);
  expect(blobs(a.root), `${point}: orphans survived prune`).toEqual([...before]);
}

describe("reliability: kill -9 at each failpoint (case 30), a locked store (case 41)", () => {
  let a: Arena;
  let reg: TestRegistry;
  let ctx: string;
  let baseline: { id: string; onApp: string; pushed: string; save: string };
  const remote = (name: string) => `${reg.host}/fp/${name}`;

  beforeAll(async () => {
    a = arena("faults", { own: ["ctx", "out"], setup: ({ root }) => importBusybox(root) });
    reg = await startRegistry();
    ctx = a.own.ctx as string;
    // A RUN layer of several files (extract stops after two), printing as it starts (the RUN failpoint).
    writeFileSync(join(ctx, "Dockerfile"), "FROM busybox:latest\nRUN echo step-$((40+2)) && mkdir /d && seq 1 30000 > /d/a && seq 2 30000 > /d/b && echo c > /d/c && echo e > /d/e\n");
    const id = ok(strata(a.root, ["build", "-q", "--no-cache", "-t", "fp/app:1", ctx], { env: SDE }), "baseline build").stdout.trim();
    // A build on top of the app: run after the app is pulled back, it unpacks the app's layer (the extract failpoint).
    mkdirSync(join(ctx, "on-app"));
    writeFileSync(join(ctx, "on-app", "Dockerfile"), "FROM fp/app:1\nRUN cat /d/c /d/e > /ce\n");
    const onApp = ok(strata(a.root, ["build", "-q", "--no-cache", join(ctx, "on-app")], { env: SDE }), "baseline build on the app").stdout.trim();
    // Async: the registry logs to a pipe this process reads.
    const pushed = pushedDigest(ok(await strataAsync(a.root, ["push", "-q", "fp/app:1", remote("app:1")]), "baseline push"));
    ok(strata(a.root, ["save", "-o", join(a.own.out as string, "base.tar"), "fp/app:1"]), "baseline save");
    const save = createHash("sha256").update(readFileSync(join(a.own.out as string, "base.tar"))).digest("hex");
    baseline = { id, onApp, pushed, save };
    // Only busybox is left: the app's blobs and snapshots are gone, so pull and build start afresh.
    ok(strata(a.root, ["rmi", "fp/app:1"]), "rmi");
    ok(strata(a.root, ["system", "prune", "-f"]), "prune");
  }, 240_000);
  afterAll(async () => {
    await reg?.stop();
    a?.cleanup();
  });

  it("case 30: kill -9 at download, fsync→rename and rename→tag of a pull: verify passes, prune removes the orphans, the pull succeeds again", async () => {
    const before = settled(a.root);
    for (const point of ["download", "fsync-rename", "rename-tag"]) {
      await killedAt(a.root, point, ["pull", remote("app:1")]);
      if (point === "rename-tag") expect(blobs(a.root).length, "rename-tag: the blobs were committed").toBeGreaterThan(before.length);
      recovers(a, before, point);
    }
    const pull = ok(await strataAsync(a.root, ["pull", remote("app:1")]), "pull again");
    expect(pull.stderr).toContain(`Digest: ${baseline.pushed}`);
    expectClean(a);
  }, 120_000);

  it("case 30: kill -9 at extract (unpacking the pulled layer) and in a RUN: the rebuild's digest is the baseline's", async () => {
    // The pulled app, by its local name: its layer is stored, not yet unpacked.
    ok(strata(a.root, ["tag", remote("app:1"), "fp/app:1"]), "tag the pulled app");
    const base = settled(a.root);
    await killedAt(a.root, "extract", ["build", "--no-cache", "--progress", "plain", join(ctx, "on-app")], SDE);
    recovers(a, base, "extract");
    const onApp = ok(await strataAsync(a.root, ["build", "-q", "--no-cache", join(ctx, "on-app")], { env: SDE }), "rebuild on the app").stdout.trim();
    expect(onApp).toBe(baseline.onApp);
    const before = settled(a.root);
    const killed = await killedAt(a.root, "run", ["build", "--no-cache", "--progress", "plain", "-t", "fp/app:2", ctx], SDE);
    // Killed in the RUN, as its command printed its first line (which the dead process never showed).
    expect(killed.stderr).toContain("RUN echo step-$((40+2))");
    expect(killed.stderr).not.toContain("DONE 0.0s\n#2 DONE");
    recovers(a, before, "run");
    const id = ok(await strataAsync(a.root, ["build", "-q", "--no-cache", "-t", "fp/app:2", ctx], { env: SDE }), "rebuild").stdout.trim();
    expect(id).toBe(baseline.id);
    expectClean(a);
  }, 120_000);

  it("case 30: kill -9 mid-push and mid-save: the store is intact, and the push and save succeed again with the same digests", async () => {
    // A layer the registry has never seen, so that the push streams it.
    const ctx2 = join(ctx, "push");
    mkdirSync(ctx2);
    writeFileSync(join(ctx2, "Dockerfile"), "FROM fp/app:1\nRUN seq 5 40000 > /pushed\n");
    ok(await strataAsync(a.root, ["build", "-q", "-t", "fp/push:1", ctx2], { env: SDE }), "build to push");
    const before = settled(a.root);
    await killedAt(a.root, "push", ["push", "fp/push:1", remote("push:1")]);
    recovers(a, before, "push");
    const first = pushedDigest(ok(await strataAsync(a.root, ["push", "-q", "fp/push:1", remote("push:1")]), "push again"));
    expect(pushedDigest(ok(await strataAsync(a.root, ["push", "-q", "fp/push:1", remote("push:1")]), "push once more"))).toBe(first);

    const saved = settled(a.root);
    const out = join(a.own.out as string, "again.tar");
    await killedAt(a.root, "save", ["save", "-o", out, "fp/app:1"]);
    // The user's file never exists half-written: only a temp file, which the next save removes.
    expect(existsSync(out)).toBe(false);
    recovers(a, saved, "save");
    ok(await strataAsync(a.root, ["save", "-o", out, "fp/app:1"]), "save again");
    expect(readdirSync(a.own.out as string).filter((n) => n.includes(".tmp"))).toEqual([]);
    expect(createHash("sha256").update(readFileSync(out)).digest("hex")).toBe(baseline.save);
    expectClean(a);
  }, 120_000);

  it("case 41: a second process waits for a store lock another process holds, names its pid when it gives up, and takes it over from a kill -9", async () => {
    const lock = join(a.own.out as string, "held.lock");
    const holder = (ms: number) =>
      spawn(process.execPath, ["--input-type=module", "-e", `import { withLock } from ${JSON.stringify(join(repoRoot, "runtime/store/lock.ts"))}; await withLock(process.argv[1], async () => { console.log("held"); await new Promise((r) => setTimeout(r, ${ms})); });`, lock], { stdio: ["ignore", "pipe", "inherit"] });
    const holding = async (c: ChildProcess) => {
      await new Promise<void>((r) => c.stdout?.once("data", () => r()));
      expect(readFileSync(lock, "utf8")).toMatch(new RegExp(`^${c.pid}\\b`));
    };
    // A live owner: a short wait gives up naming it; a longer one gets the lock once it lets go.
    const live = holder(1500);
    await holding(live);
    const t = Date.now();
    const err = await withLock(lock, async () => "got it", 300).catch((e: Error) => e);
    expect(err).toMatchObject({ code: "STORE_LOCK_TIMEOUT" });
    expect((err as Error).message).toContain(`held by pid ${live.pid}`);
    expect(await withLock(lock, async () => "got it", 20_000)).toBe("got it");
    expect(Date.now() - t).toBeGreaterThanOrEqual(1000);
    // A dead owner: kill -9 while it holds the lock; the next taker does not wait for it.
    const dead = holder(60_000);
    await holding(dead);
    dead.kill("SIGKILL");
    await new Promise((r) => dead.once("close", r));
    const t2 = Date.now();
    expect(await withLock(lock, async () => "taken over", 20_000)).toBe("taken over");
    expect(Date.now() - t2).toBeLessThan(1000);
    expect(existsSync(lock)).toBe(false);
  }, 60_000);

  it("case 41: the store's lock, left by a strata process killed with -9, is taken over at once", async () => {
    // A real strata process holds index.json's lock when the rename→tag failpoint kills it.
    const before = settled(a.root);
    await killedAt(a.root, "rename-tag", ["tag", "fp/app:1", "fp/app:killed"]);
    expect(existsSync(join(a.root, "index.json.lock")), "the killed tag left its lock").toBe(true);
    const t = Date.now();
    const after = ok(await strataAsync(a.root, ["tag", "fp/app:1", "fp/app:locked"]), "tag after the kill");
    expect(after.stderr).toContain("0 partial files, 1 stale locks");
    expect(Date.now() - t, "the stale lock cost a wait").toBeLessThan(20_000);
    expect(existsSync(join(a.root, "index.json.lock"))).toBe(false);
    expect(strata(a.root, ["images"]).stdout).not.toContain("killed");
    ok(await strataAsync(a.root, ["rmi", "fp/app:locked"]), "rmi");
    recovers(a, before, "rename-tag (lock)");
  }, 60_000);
});
