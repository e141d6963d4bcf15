import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

function cli(root: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [join(repoRoot, "bin/strata.js"), "--root", root, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    c.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    c.on("close", (code) => resolve({ code: code ?? 1, stderr }));
  });
}

describe("a store shared by several strata processes", () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("concurrency"));
  });
  afterAll(() => cleanup());

  it("two different builds started at the same moment both succeed, and verify passes", async () => {
    const a = tempDir("conc-a");
    const b = tempDir("conc-b");
    writeFileSync(join(a, "Dockerfile"), "FROM busybox:latest\nRUN echo a > /a && sleep 0.3\nRUN echo shared > /shared\nLABEL who=a\n");
    writeFileSync(join(b, "Dockerfile"), "FROM busybox:latest\nRUN echo b > /b && sleep 0.3\nRUN echo shared > /shared\nLABEL who=b\n");
    const [ra, rb] = await Promise.all([cli(root, ["build", "--progress", "plain", "-t", "conc:a", a]), cli(root, ["build", "--progress", "plain", "-t", "conc:b", b])]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    expect(strata(root, ["run", "--rm", "conc:a", "cat", "/a"]).stdout).toBe("a\n");
    expect(strata(root, ["run", "--rm", "conc:b", "cat", "/b"]).stdout).toBe("b\n");
    const v = strata(root, ["system", "verify"]);
    expect(v.stdout).toBe("store verified: ok\n");
    expect(v.code).toBe(0);
  });

  it("a build killed with -9 mid-RUN leaves no mount, runc container or partial blob after the next command", async () => {
    const dir = tempDir("conc-kill");
    writeFileSync(join(dir, "Dockerfile"), "FROM busybox:latest\nRUN echo running-$((40+2)) && sleep 30\n");
    const child = spawn(process.execPath, [join(repoRoot, "bin/strata.js"), "--root", root, "build", "--progress", "plain", dir], { stdio: ["ignore", "ignore", "pipe"] });
    await new Promise<void>((resolve) => {
      child.stderr.on("data", (d: Buffer) => {
        if (d.toString().includes("running-42")) resolve();
      });
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
    const mounts = () => readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.includes(root)).length;
    const containers = () => (existsSync(join(root, "runc")) ? readdirSync(join(root, "runc")).length : 0);
    expect(mounts()).toBeGreaterThan(0);
    expect(containers()).toBeGreaterThan(0);
    const leftover = readdirSync(join(root, "runc"));
    const next = strata(root, ["images"]);
    expect(leftover.length, `runc dir: ${leftover.join(",")} pid ${child.pid}`).toBe(1);
    expect(next.code).toBe(0);
    expect(next.stderr).toMatch(/reclaimed what an interrupted strata process left: [1-9]\d* mounts, 1 runc containers, 1 scratch dirs/);
    expect(mounts()).toBe(0);
    expect(containers()).toBe(0);
    expect(readdirSync(join(root, "run"))).toEqual([]);
    expect(readdirSync(join(root, "tmp"))).toEqual([]);
    const ps = spawnSync("sh", ["-c", `ps -eo args | grep -c '[s]leep 30' || true`], { encoding: "utf8" });
    expect(ps.stdout.trim()).toBe("0");
    expect(strata(root, ["system", "verify"]).code).toBe(0);
  });

  it("SIGINT stops a build, cleans its mounts and containers, and exits 130", async () => {
    const dir = tempDir("conc-int");
    writeFileSync(join(dir, "Dockerfile"), "FROM busybox:latest\nRUN echo running-$((40+2)) && sleep 30\n");
    const child = spawn(process.execPath, [join(repoRoot, "bin/strata.js"), "--root", root, "build", "--progress", "plain", dir], { stdio: ["ignore", "ignore", "pipe"] });
    await new Promise<void>((resolve) => {
      child.stderr.on("data", (d: Buffer) => {
        if (d.toString().includes("running-42")) resolve();
      });
    });
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    expect(code).toBe(130);
    expect(readFileSync("/proc/self/mountinfo", "utf8").includes(root)).toBe(false);
    expect(readdirSync(join(root, "runc"))).toEqual([]);
    expect(readdirSync(join(root, "run"))).toEqual([]);
  });
  it("a scratch dir whose owner file is still empty (being written) is left alone while fresh, reclaimed once old", () => {
    const fresh = join(root, "run", "probe-fresh");
    const old = join(root, "run", "probe-old");
    for (const d of [fresh, old]) {
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, "owner"), "");
    }
    const past = new Date(Date.now() - 120_000);
    utimesSync(old, past, past);
    const r = strata(root, ["images"]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(old)).toBe(false);
    rmSync(fresh, { recursive: true });
  });
});
