import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HealthChecker } from "../../runtime/container/monitor/health-check.ts";
import { mergeHealthcheck, probeArgs } from "../../runtime/container/monitor/health-config.ts";
import type { HealthState } from "../../runtime/container/monitor/state-file.ts";
import { strata, tempDir } from "../helpers/strata.ts";
import { eventually, sleep } from "./helpers.ts";
import { busyboxStore, psStatus } from "./store-fixture.ts";

/** HEALTHCHECK and --health-*: run by the container's monitor on docker's schedule, shown by ps and inspect. */
describe("health checks", () => {
  it("merges the flags over the image's HEALTHCHECK as docker does, and runs CMD-SHELL under the image's SHELL", () => {
    const image = { Test: ["CMD", "true"], Interval: 5e9, Retries: 7 };
    expect(mergeHealthcheck(image, undefined)).toEqual(image);
    expect(mergeHealthcheck(image, { Interval: 1e9 })).toEqual({ Test: ["CMD", "true"], Interval: 1e9, Retries: 7 });
    expect(mergeHealthcheck(image, { Test: ["CMD-SHELL", "x"] })).toEqual({ Test: ["CMD-SHELL", "x"], Interval: 5e9, Retries: 7 });
    expect(mergeHealthcheck(undefined, { Interval: 1e9 })).toBeUndefined();
    expect(probeArgs({ Test: ["CMD-SHELL", "test -e /x"] }, undefined)).toEqual(["/bin/sh", "-c", "test -e /x"]);
    expect(probeArgs({ Test: ["CMD-SHELL", "x"] }, ["/bin/bash", "-ec"])).toEqual(["/bin/bash", "-ec", "x"]);
    expect(probeArgs({ Test: ["CMD", "a", "b"] }, undefined)).toEqual(["a", "b"]);
    expect(probeArgs({ Test: ["NONE"] }, undefined)).toBeUndefined();
  });

  it("counts failures in the start period only once it passed, and keeps the last 5 results", async () => {
    const codes = [1, 1, 1, 0, 1, 1, 1, 1];
    const states: HealthState[] = [];
    const c = new HealthChecker({ Test: ["CMD", "x"], Interval: 20e6, StartPeriod: 70e6, StartInterval: 20e6, Retries: 2 }, { probe: async () => ({ exitCode: codes.shift() ?? 1, output: "" }), paused: async () => false, changed: (s) => states.push(s) }, undefined);
    c.start(Date.now());
    await eventually(() => states.filter((s) => s.Log.length > 0).length >= 8, 10_000);
    c.stop();
    const results = states.filter((s) => s.Log.length > 0);
    // Within the start period (70 ms: the first checks) a failure does not count.
    expect(results[0]).toMatchObject({ Status: "starting", FailingStreak: 0 });
    expect(results[3]).toMatchObject({ Status: "healthy", FailingStreak: 0 });
    expect(results[4]).toMatchObject({ Status: "healthy", FailingStreak: 1 });
    expect(results[5]).toMatchObject({ Status: "unhealthy", FailingStreak: 2 });
    expect(results[7]?.Log).toHaveLength(5);
  });

  describe("with runc", () => {
    const store = busyboxStore("health");
    const n = (s: string): string => `${s}-${process.pid}`;
    const status = (name: string): string => psStatus(store.root, name);
    const health = (name: string): { Status: string; FailingStreak: number; Log: { ExitCode: number; Output: string }[] } => JSON.parse(strata(store.root, ["container", "inspect", "-f", "{{json .State.Health}}", name]).stdout);

    it("goes starting → healthy → unhealthy as a check on a file flips (failures within the start period do not count)", async () => {
      const name = n("flip");
      const r = strata(store.root, ["run", "-d", "--name", name, "--health-cmd", "test -e /healthy && echo fine", "--health-interval", "500ms", "--health-retries", "2", "--health-start-period", "120s", "--health-start-interval", "500ms", "busybox", "sleep", "300"]);
      expect(r.code, r.stderr).toBe(0);
      expect(status(name)).toMatch(/^Up .* \(health: starting\)$/);
      expect(health(name).Status).toBe("starting");
      expect(strata(store.root, ["exec", name, "touch", "/healthy"]).code).toBe(0);
      await eventually(() => status(name).endsWith(" (healthy)"), 30_000);
      const good = health(name);
      expect(good.FailingStreak).toBe(0);
      expect(good.Log.at(-1)).toMatchObject({ ExitCode: 0, Output: "fine\n" });
      expect(strata(store.root, ["exec", name, "rm", "/healthy"]).code).toBe(0);
      await eventually(() => status(name).endsWith(" (unhealthy)"), 30_000);
      const bad = health(name);
      expect(bad.Status).toBe("unhealthy");
      expect(bad.FailingStreak).toBeGreaterThanOrEqual(2);
      expect(bad.Log.length).toBeLessThanOrEqual(5);
      expect(bad.Log.at(-1)?.ExitCode).toBe(1);
      expect(strata(store.root, ["container", "inspect", "-f", "{{json .Config.Healthcheck}}", name]).stdout.trim()).toBe('{"Test":["CMD-SHELL","test -e /healthy && echo fine"],"Interval":500000000,"StartPeriod":120000000000,"StartInterval":500000000,"Retries":2}');
      expect(strata(store.root, ["rm", "-f", name]).code).toBe(0);
    });

    it("runs the image's HEALTHCHECK; --no-healthcheck turns it off; a check past its timeout fails", async () => {
      const ctx = tempDir("health-ctx");
      writeFileSync(join(ctx, "Dockerfile"), 'FROM busybox\nHEALTHCHECK --interval=500ms --timeout=300ms CMD ["sh", "-c", "echo from-image"]\n');
      const b = strata(store.root, ["build", "-q", "-t", "checked:1", ctx]);
      expect(b.code, b.stderr).toBe(0);
      const name = n("image");
      expect(strata(store.root, ["run", "-d", "--name", name, "checked:1", "sleep", "300"]).code).toBe(0);
      await eventually(() => status(name).endsWith(" (healthy)"), 30_000);
      expect(health(name).Log.at(-1)?.Output).toBe("from-image\n");
      const off = n("off");
      expect(strata(store.root, ["run", "-d", "--name", off, "--no-healthcheck", "checked:1", "sleep", "300"]).code).toBe(0);
      await sleep(1500);
      expect(status(off)).toMatch(/^Up [^(]+$/);
      const slow = n("slow");
      expect(strata(store.root, ["run", "-d", "--name", slow, "--health-cmd", "sleep 5", "--health-timeout", "300ms", "--health-interval", "500ms", "--health-retries", "1", "checked:1", "sleep", "300"]).code).toBe(0);
      await eventually(() => status(slow).endsWith(" (unhealthy)"), 30_000);
      expect(health(slow).Log.at(-1)).toMatchObject({ ExitCode: -1, Output: "Health check exceeded timeout (300ms)" });
      expect(strata(store.root, ["rm", "-f", name, off, slow]).code).toBe(0);
    });

    it("refuses conflicting and malformed --health-* flags with docker's messages (125)", () => {
      const both = strata(store.root, ["run", "--rm", "--no-healthcheck", "--health-cmd", "true", "busybox", "true"]);
      expect(both.code).toBe(125);
      expect(both.stderr).toBe("strata: error[CONTAINER_USAGE]: --no-healthcheck conflicts with --health-* options\n");
      const bad = strata(store.root, ["run", "--rm", "--health-interval", "soon", "busybox", "true"]);
      expect(bad.code).toBe(125);
      expect(bad.stderr).toContain('invalid argument "soon" for "--health-interval" flag: time: invalid duration "soon"');
      expect(strata(store.root, ["run", "--rm", "--health-retries", "-1", "busybox", "true"]).stderr).toContain("--health-retries cannot be negative");
    });
  });
});
