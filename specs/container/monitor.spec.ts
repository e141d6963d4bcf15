import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { askMonitor, attachTo } from "../../runtime/container/monitor/sockets.ts";
import { startStrata, strata } from "../helpers/strata.ts";
import { eventually, mountsUnder, sleep } from "./helpers.ts";
import { busyboxStore, psStatus } from "./store-fixture.ts";

/** The container's monitor: it owns --rm, gives -dit a console, answers on its sockets; pause, wait, restart, stop's signal and timeout. */
describe("the container monitor", () => {
  const store = busyboxStore("monitor");
  const n = (s: string): string => `${s}-${process.pid}`;
  const status = (name: string): string => psStatus(store.root, name);
  const dirOf = (id: string): string => join(store.root, "containers", id);

  it("outlives strata in a session of its own; a foreground run --rm whose strata is SIGKILLed is still removed", async () => {
    const name = n("orphan");
    const fg = startStrata(store.root, ["run", "--rm", "--name", name, "busybox", "sh", "-c", "echo ready; sleep 3; echo done"]);
    await eventually(() => fg.output().includes("ready"), 30_000);
    const id = strata(store.root, ["ps", "-q", "--no-trunc"]).stdout.trim();
    expect(id).toMatch(/^[a-f0-9]{64}$/);
    const owner = (JSON.parse(readFileSync(join(dirOf(id), "state.json"), "utf8")) as { owner: string }).owner;
    const pid = Number(owner.split(".")[0]);
    // Its own session: the terminal's signals and the end of strata's process group do not reach it.
    const sid = (p: number) => readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]?.split(" ")[3];
    expect(sid(pid)).toBe(String(pid));
    fg.child.kill("SIGKILL");
    await new Promise((resolve) => fg.child.once("exit", resolve));
    expect(status(name)).toMatch(/^Up /);
    await eventually(() => strata(store.root, ["ps", "-aq"]).stdout === "", 30_000);
    // The monitor held strata's stdout: what the container wrote after strata was gone still came through.
    expect((await fg.done).stdout).toBe("ready\ndone\n");
    expect(mountsUnder(store.root)).toEqual([]);
    expect(() => readFileSync(join(dirOf(id), "config.json"))).toThrow();
    expect(strata(store.root, ["run", "--rm", "--name", name, "busybox", "true"]).code).toBe(0);
  });

  it("-dit gives a detached shell a terminal: logs shows its output, the attach socket reaches its stdin, resize its size", async () => {
    const name = n("tty");
    const r = strata(store.root, ["run", "-dit", "--name", name, "busybox", "sh"]);
    expect(r.code, r.stderr).toBe(0);
    const dir = dirOf(r.stdout.trim());
    await eventually(() => strata(store.root, ["logs", name]).stdout.includes("/ # "), 30_000);
    expect((await askMonitor(join(dir, "control.sock"), { op: "resize", rows: 33, cols: 101 }))?.ok).toBe(true);
    const s = await attachTo(join(dir, "attach.sock"), { stdin: true });
    let got = Buffer.alloc(0);
    s.on("data", (b: Buffer) => {
      got = Buffer.concat([got, b]);
    });
    s.write("tty; stty size; echo sum-$((6*7))\n");
    await eventually(() => strata(store.root, ["logs", name]).stdout.includes("sum-42"), 30_000);
    const logs = strata(store.root, ["logs", name]).stdout;
    expect(logs).toMatch(/\/dev\/pts\/\d+/);
    expect(logs).toContain("33 101");
    // What the socket sent (strata() blocks this process's event loop: let the socket be read): docker's stdcopy frames, stream 1.
    await eventually(() => got.includes("sum-42"), 10_000);
    expect(got[0]).toBe(1);
    expect(got.readUInt32BE(4)).toBeLessThanOrEqual(got.length - 8);
    s.destroy();
    expect(strata(store.root, ["rm", "-f", name]).code).toBe(0);
  });

  it("pause freezes every process (ps: Paused), unpause thaws them; docker's errors otherwise", async () => {
    const name = n("ticker");
    const r = strata(store.root, ["run", "-d", "--name", name, "busybox", "sh", "-c", "while :; do echo tick; sleep 0.1; done"]);
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    const ticks = () => strata(store.root, ["logs", name]).stdout.split("\n").length;
    await eventually(() => ticks() > 3, 30_000);
    expect(strata(store.root, ["pause", name]).stdout).toBe(`${name}\n`);
    expect(status(name)).toMatch(/^Up .* \(Paused\)$/);
    const frozen = ticks();
    await sleep(800);
    expect(ticks()).toBe(frozen);
    const again = strata(store.root, ["pause", name]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`strata: error[CONTAINER_STATE]: container ${id} is already paused\n`);
    expect(strata(store.root, ["unpause", name]).code).toBe(0);
    await eventually(() => ticks() > frozen, 30_000);
    expect(status(name)).not.toContain("Paused");
    const notPaused = strata(store.root, ["unpause", name]);
    expect(notPaused.code).toBe(1);
    expect(notPaused.stderr).toBe(`strata: error[CONTAINER_STATE]: Container ${id} is not paused\n`);
    expect(strata(store.root, ["rm", "-f", name]).code).toBe(0);
  });

  it("wait prints the exit code when the container stops; restart runs it again", async () => {
    const name = n("waited");
    expect(strata(store.root, ["run", "-d", "--name", name, "busybox", "sh", "-c", "echo started; sleep 2; exit 7"]).code).toBe(0);
    const w = startStrata(store.root, ["wait", name]);
    const r = await w.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("7\n");
    expect(strata(store.root, ["wait", name]).stdout).toBe("7\n");
    const missing = strata(store.root, ["wait", "no-such-container"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("strata: error[NO_SUCH_CONTAINER]: No such container: no-such-container\n");
    const restart = strata(store.root, ["restart", name]);
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.stdout).toBe(`${name}\n`);
    expect(status(name)).toMatch(/^Up /);
    await eventually(() => strata(store.root, ["logs", name]).stdout === "started\nstarted\n", 30_000);
    expect(strata(store.root, ["rm", "-f", name]).code).toBe(0);
  });

  it("stop sends --stop-signal and waits --stop-timeout (stop -s and -t over them)", async () => {
    const name = n("usr1");
    expect(strata(store.root, ["run", "-d", "--name", name, "--stop-signal", "USR1", "busybox", "sh", "-c", "trap 'echo got-usr1; exit 0' USR1; echo up; while :; do sleep 0.1; done"]).code).toBe(0);
    await eventually(() => strata(store.root, ["logs", name]).stdout.includes("up"), 30_000);
    expect(strata(store.root, ["stop", name]).code).toBe(0);
    expect(strata(store.root, ["logs", name]).stdout).toBe("up\ngot-usr1\n");
    expect(status(name)).toMatch(/^Exited \(0\)/);
    const stubborn = n("stubborn");
    expect(strata(store.root, ["run", "-d", "--name", stubborn, "--stop-timeout", "1", "busybox", "sleep", "300"]).code).toBe(0);
    expect(strata(store.root, ["container", "inspect", "-f", "{{.Config.StopTimeout}} {{.Config.StopSignal}}", stubborn]).stdout.trim()).toBe("1 SIGTERM");
    let t0 = Date.now();
    expect(strata(store.root, ["stop", stubborn]).code).toBe(0);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThan(900);
    expect(took).toBeLessThan(9000);
    expect(status(stubborn)).toMatch(/^Exited \(137\)/);
    expect(strata(store.root, ["start", stubborn]).code).toBe(0);
    t0 = Date.now();
    expect(strata(store.root, ["stop", "-s", "KILL", "-t", "30", stubborn]).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(9000);
    expect(strata(store.root, ["run", "--rm", "--stop-signal", "NOPE!", "busybox", "true"]).code).toBe(125);
    expect(strata(store.root, ["rm", name, stubborn]).code).toBe(0);
  });
});
