import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata } from "../helpers/strata.ts";
import { eventually, mountsUnder, removeAllContainers } from "./helpers.ts";

/** `top` and `stats --no-stream` on real runc containers: the container's processes, its cgroup's numbers. */
describe("top and stats", () => {
  let root: string;
  let cleanup: () => void;
  const n = (s: string): string => `ts-${s}-${process.pid}`;

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("top-stats"));
    expect(strata(root, ["run", "-d", "--name", n("busy"), "busybox", "sh", "-c", "sleep 301 & exec sleep 302"]).code).toBe(0);
    expect(strata(root, ["create", "--name", n("idle"), "busybox", "true"]).code).toBe(0);
  });

  afterAll(() => {
    removeAllContainers(root);
    expect(mountsUnder(root)).toEqual([]);
    cleanup();
  });

  it("top lists the container's processes as ps -ef prints them, and only those", async () => {
    await eventually(() => strata(root, ["top", n("busy")]).stdout.includes("sleep 301"));
    const lines = strata(root, ["top", n("busy")]).stdout.trimEnd().split("\n");
    // docker's tabwriter: columns at least 20 wide, 3 spaces of padding.
    expect(lines[0]).toMatch(/^UID {17}PID {17}PPID {16}C {19}STIME {15}TTY {17}TIME {16}CMD$/);
    expect(lines.slice(1).map((l) => l.replace(/^.* {3}/, "")).sort()).toEqual(["sleep 301", "sleep 302"]);
    expect(strata(root, ["top", n("busy")]).stdout).not.toContain("vitest");
    const custom = strata(root, ["container", "top", n("busy"), "-o", "pid,comm"]).stdout.trimEnd().split("\n");
    expect(custom[0]).toBe("PID                 COMMAND");
    expect(custom.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(["sleep", "sleep"]);
    const noPid = strata(root, ["top", n("busy"), "-o", "comm"]);
    expect([noPid.code, noPid.stderr]).toEqual([1, "strata: error[TOP_PS]: Couldn't find PID field in ps output\n"]);
    const stopped = strata(root, ["top", n("idle")]);
    expect([stopped.code, stopped.stderr]).toEqual([1, `strata: error[CONTAINER_STATE]: container ${n("idle")} is not running\n`]);
  });

  it("stats --no-stream prints docker's table: one row per running container, from its cgroup", () => {
    const r = strata(root, ["stats", "--no-stream"]);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^CONTAINER ID {3}NAME +CPU % +MEM USAGE \/ LIMIT +MEM % +NET I\/O +BLOCK I\/O +PIDS$/);
    expect(rows).toHaveLength(1);
    const row = rows[0] as string;
    expect(row).toMatch(new RegExp(`^[0-9a-f]{12} {3}${n("busy")} +\\d+\\.\\d\\d% +[\\d.]+(B|KiB|MiB) / [\\d.]+(MiB|GiB|TiB) +\\d+\\.\\d\\d% +[\\d.]+k?B / [\\d.]+k?B +[\\d.]+k?B / [\\d.]+k?B +2$`));
    // A stopped container named is a row of zeros; -a lists it too.
    const idle = strata(root, ["stats", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}", n("idle")]);
    expect(idle.stdout).toBe(`${n("idle")} 0.00% 0B / 0B 0\n`);
    expect(strata(root, ["stats", "-a", "--no-stream", "--format", "{{.Name}}"]).stdout.split("\n").filter(Boolean).sort()).toEqual([n("busy"), n("idle")].sort());
    const json = JSON.parse(strata(root, ["container", "stats", "--no-stream", "--no-trunc", "--format", "json", n("busy")]).stdout) as Record<string, string>;
    expect(Object.keys(json)).toEqual(["BlockIO", "CPUPerc", "Container", "ID", "MemPerc", "MemUsage", "Name", "NetIO", "PIDs"]);
    expect(json.ID).toMatch(/^[0-9a-f]{64}$/);
    expect(json.Container).toBe(n("busy"));
    const missing = strata(root, ["stats", "--no-stream", "nosuch"]);
    expect([missing.code, missing.stderr]).toEqual([1, "strata: error[NO_SUCH_CONTAINER]: No such container: nosuch\n"]);
  });
});
