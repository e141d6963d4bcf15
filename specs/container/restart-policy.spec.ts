import { describe, expect, it } from "vitest";
import { parseRestartPolicy, RestartManager } from "../../runtime/container/monitor/restart-policy.ts";
import { strata } from "../helpers/strata.ts";
import { eventually, sleep } from "./helpers.ts";
import { busyboxStore, psStatus } from "./store-fixture.ts";

/** --restart: docker's policies and its backoff, run by the container's monitor (runtime/container/monitor/). */
describe("restart policies", () => {
  it("parses --restart as docker does, with its messages", () => {
    expect(parseRestartPolicy("no")).toEqual({ Name: "no", MaximumRetryCount: 0 });
    expect(parseRestartPolicy("on-failure:3")).toEqual({ Name: "on-failure", MaximumRetryCount: 3 });
    expect(parseRestartPolicy("unless-stopped")).toEqual({ Name: "unless-stopped", MaximumRetryCount: 0 });
    expect(parseRestartPolicy("on-failure:x")).toBe("invalid restart policy format: maximum retry count must be an integer");
    expect(parseRestartPolicy(":3")).toBe("invalid restart policy format: no policy provided before colon");
    expect(parseRestartPolicy("always:3")).toBe("invalid restart policy: maximum retry count can only be used with 'on-failure'");
    expect(parseRestartPolicy("on-failure:-1")).toBe("invalid restart policy: maximum retry count cannot be negative");
    expect(parseRestartPolicy("sometimes")).toBe("invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
  });

  it("backs off as docker's restart manager: 100 ms doubling to a minute, again from 100 ms after 10 s up", () => {
    const m = new RestartManager({ Name: "always", MaximumRetryCount: 0 });
    const delays = Array.from({ length: 12 }, () => m.next(1, 50, false));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]);
    expect(m.next(1, 10_000, false)).toBe(100);
    expect(m.count).toBe(13);
    expect(m.next(0, 50, true)).toBeUndefined();
    const f = new RestartManager({ Name: "on-failure", MaximumRetryCount: 2 });
    expect([f.next(1, 0, false), f.next(0, 0, false), f.next(1, 0, false), f.next(1, 0, false)]).toEqual([100, undefined, 400, undefined]);
    expect(new RestartManager({ Name: "no", MaximumRetryCount: 0 }).next(1, 0, false)).toBeUndefined();
  });

  describe("with runc", () => {
    const store = busyboxStore("restart");
    const n = (s: string): string => `${s}-${process.pid}`;
    const status = (name: string): string => psStatus(store.root, name);
    const inspect = (name: string, f: string): string => strata(store.root, ["container", "inspect", "-f", f, name]).stdout.trim();

    it("on-failure:3 restarts a crashing container 3 times with growing delays, then leaves it exited", async () => {
      const name = n("crash");
      const r = strata(store.root, ["run", "-d", "--name", name, "--restart", "on-failure:3", "busybox", "sh", "-c", "echo run; exit 3"]);
      expect(r.code, r.stderr).toBe(0);
      await eventually(() => /^Exited \(3\)/.test(status(name)) && inspect(name, "{{.RestartCount}}") === "3", 60_000);
      expect(inspect(name, "{{.State.Status}} {{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}")).toBe("exited 3 on-failure:3");
      const logs = strata(store.root, ["logs", "-t", name]).stdout.trim().split("\n");
      expect(logs.map((l) => l.split(" ")[1])).toEqual(["run", "run", "run", "run"]);
      // Each run starts no sooner than its backoff after the one before (100, 200, 400 ms).
      const times = logs.map((l) => Date.parse(l.split(" ")[0] as string));
      const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
      expect(gaps[0]).toBeGreaterThanOrEqual(100);
      expect(gaps[1]).toBeGreaterThanOrEqual(200);
      expect(gaps[2]).toBeGreaterThanOrEqual(400);
      await sleep(1500);
      expect(inspect(name, "{{.RestartCount}}")).toBe("3");
      // A run that ends well is not restarted by on-failure.
      const ok = n("fine");
      expect(strata(store.root, ["run", "-d", "--name", ok, "--restart", "on-failure", "busybox", "true"]).code).toBe(0);
      await eventually(() => /^Exited \(0\)/.test(status(ok)), 30_000);
      await sleep(1000);
      expect(inspect(ok, "{{.RestartCount}}")).toBe("0");
      expect(strata(store.root, ["rm", name, ok]).code).toBe(0);
    });

    it("always restarts until stop: ps shows Restarting (1) and the count; stop ends it for good", async () => {
      const name = n("always");
      expect(strata(store.root, ["run", "-d", "--name", name, "--restart", "always", "busybox", "sh", "-c", "exit 1"]).code).toBe(0);
      // The backoff grows past the time ps takes, so ps catches it waiting.
      await eventually(() => /^Restarting \(1\) (Less than a second|\d+ seconds?) ago$/.test(status(name)), 60_000);
      expect(Number(inspect(name, "{{.RestartCount}}"))).toBeGreaterThanOrEqual(1);
      // inspect is a moment after ps: on a loaded machine the container may be up again by then, and waits again soon after.
      await eventually(() => inspect(name, "{{.State.Status}} {{.State.Running}} {{.State.Restarting}}") === "restarting true true", 30_000);
      const stop = strata(store.root, ["stop", name]);
      expect(stop.code, stop.stderr).toBe(0);
      expect(status(name)).toMatch(/^Exited \(1\)/);
      const count = inspect(name, "{{.RestartCount}}");
      await sleep(2000);
      expect(status(name)).toMatch(/^Exited \(1\)/);
      expect(inspect(name, "{{.RestartCount}}")).toBe(count);
      // start brings it back, with its policy.
      expect(strata(store.root, ["start", name]).code).toBe(0);
      await eventually(() => /^(Up|Restarting)/.test(status(name)), 30_000);
      expect(strata(store.root, ["rm", "-f", name]).code).toBe(0);
    });

    it("refuses --restart with --rm and a bad policy, as docker (125)", () => {
      const before = strata(store.root, ["ps", "-aq"]).stdout;
      const both = strata(store.root, ["run", "--rm", "--restart", "always", "busybox", "true"]);
      expect(both.code).toBe(125);
      expect(both.stderr).toBe("strata: error[CONTAINER_USAGE]: Conflicting options: --restart and --rm\n");
      const bad = strata(store.root, ["run", "-d", "--restart", "always:2", "busybox", "true"]);
      expect(bad.code).toBe(125);
      expect(bad.stderr).toContain("maximum retry count can only be used with 'on-failure'");
      // Nothing created (whatever an earlier test left).
      expect(strata(store.root, ["ps", "-aq"]).stdout).toBe(before);
    });
  });
});
