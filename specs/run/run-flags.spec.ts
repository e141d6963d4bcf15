/**
 * `strata build`'s RUN environment flags, as docker buildx passes them to BuildKit
 * (https://docs.docker.com/reference/cli/docker/buildx/build/): --add-host, --network,
 * --shm-size, --ulimit, --ssh and --allow. A bad value is a usage error before any work
 * (docker's `invalid argument "V" for "--flag" flag: …`); RUN --network=host and
 * --security=insecure need the entitlement (BuildKit's ValidateEntitlements:
 * "network.host is not allowed"), and `--network host` grants network.host, as buildx does.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStrata, strata, storeWithBusybox } from "../helpers/strata.ts";
import { build, context, output, removeTemps, temp } from "./helpers.ts";

describe("build's RUN environment flags", () => {
  let root: string;
  let cleanup: () => void;
  let agent: Server;
  let sock: string;
  beforeAll(async () => {
    ({ root, cleanup } = storeWithBusybox("run-flags"));
    sock = join(temp("run-flags-agent"), "agent.sock");
    agent = createServer();
    await new Promise<void>((resolve) => agent.listen(sock, resolve));
  });
  afterAll(() => {
    agent.close();
    cleanup();
    removeTemps();
  });

  it.each([
    [["--ulimit", "bogus=1"], 'invalid argument "bogus=1" for "--ulimit" flag: invalid ulimit type: bogus'],
    [["--ulimit", "nofile=10:5"], 'invalid argument "nofile=10:5" for "--ulimit" flag: ulimit soft limit must be less than or equal to hard limit: 10 > 5'],
    [["--ulimit", "nofile"], 'invalid argument "nofile" for "--ulimit" flag: invalid ulimit argument: nofile'],
    [["--ulimit", "memlock=1024:-1"], 'invalid argument "memlock=1024:-1" for "--ulimit" flag: ulimit soft limit must be less than or equal to hard limit: 1024 > -1'],
    [["--add-host", "nohost"], 'invalid argument "nohost" for "--add-host" flag: bad format for add-host: "nohost"'],
    [["--add-host", "db:not-an-ip"], 'invalid argument "db:not-an-ip" for "--add-host" flag: invalid IP address in add-host: "not-an-ip"'],
    [["--network", "bridge"], 'network mode "bridge" not supported by buildkit'],
    [["--shm-size", "lots"], `invalid argument "lots" for "--shm-size" flag: invalid size: 'lots'`],
    [["--allow", "device"], 'invalid argument "device" for "--allow" flag: unknown entitlement device'],
    [["--ssh", "key=/nonexistent/agent.sock"], 'invalid argument "key=/nonexistent/agent.sock" for "--ssh" flag: failed to stat /nonexistent/agent.sock'],
    [["--ssh", "key=/dev"], 'invalid argument "key=/dev" for "--ssh" flag: /dev is neither an agent socket nor a key file'],
  ])("%j is refused before any work (exit 2)", (flags, message) => {
    const ctx = context("run-flags-bad", { Dockerfile: "FROM busybox:latest\nRUN touch /ran\n" });
    const r = strata(root, ["build", ...flags, ctx]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/^#\d/m);
  });

  it("--add-host (host-gateway too), --shm-size, --ulimit and --network none reach every RUN", () => {
    const df = "FROM busybox:latest\nRUN cat /etc/hosts && df -k /dev/shm | tail -1 && grep 'open files' /proc/self/limits && grep 'core file size' /proc/self/limits && ls /sys/class/net\n";
    const r = build(root, "flags", df, {}, ["--add-host", "db:10.1.2.3", "--add-host", "v6=[::1]", "--add-host", "gw:host-gateway", "--shm-size", "128m", "--ulimit", "nofile=1024:2048", "--ulimit", "core=-1", "--network", "none"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = output(r);
    // BuildKit's hosts file: localhost, then each extra host as IP<tab>HOST, in order.
    expect(lines.slice(0, 4)).toEqual(["127.0.0.1\tlocalhost buildkitsandbox", "::1\tlocalhost ip6-localhost ip6-loopback", "10.1.2.3\tdb", "::1\tv6"]);
    expect(lines[4]).toMatch(/^\d+\.\d+\.\d+\.\d+\tgw$/);
    expect(lines[5]?.split(/\s+/)[1]).toBe(String(128 * 1024));
    expect(lines[6]?.split(/\s+/).slice(3, 5)).toEqual(["1024", "2048"]);
    // -1 is unlimited (RLIM_INFINITY), as docker's daemon makes it (the core soft limit is 0 by default).
    expect(lines[7]?.split(/\s+/).slice(4, 6)).toEqual(["unlimited", "unlimited"]);
    expect(lines.slice(8)).toEqual(["lo"]);
  });

  it("the flags are part of each RUN's cache key, as ExecOp Meta fields are in BuildKit", () => {
    const ctx = context("run-flags-cache", { Dockerfile: "FROM busybox:latest\nRUN cat /etc/hosts > /hosts\n" });
    expect(strata(root, ["build", "--progress", "plain", "--add-host", "a:10.0.0.1", ctx]).code).toBe(0);
    const again = strata(root, ["build", "--progress", "plain", "--add-host", "a:10.0.0.1", ctx]);
    expect(again.stderr).toMatch(/^#2 CACHED$/m);
    const other = strata(root, ["build", "--progress", "plain", "--add-host", "a:10.0.0.2", ctx]);
    expect(other.code, other.stderr).toBe(0);
    expect(other.stderr).not.toMatch(/CACHED/);
    // build --explain keys the RUNs with the same flags, so it predicts what the build does.
    const explained = (host: string) => strata(root, ["build", "--explain", "--add-host", host, ctx]).stdout;
    expect(explained("a:10.0.0.2")).toMatch(/RUN cat \/etc\/hosts > \/hosts +→ layer #1 {2}HIT$/m);
    expect(explained("a:10.0.0.3")).toMatch(/RUN cat \/etc\/hosts > \/hosts +→ layer #1 {2}MISS$/m);
  });

  it("RUN --network=host and --security=insecure need --allow (or --network host for network.host)", () => {
    const host = build(root, "ent-host", "FROM busybox:latest\nRUN --network=host touch /h\n");
    expect(host.code).toBe(1);
    expect(host.stderr).toContain("network.host is not allowed");
    expect(host.stderr).not.toMatch(/^#\d/m);
    const insecure = build(root, "ent-insecure", "FROM busybox:latest\nRUN --security=insecure touch /i\n");
    expect(insecure.code).toBe(1);
    expect(insecure.stderr).toContain("security.insecure is not allowed");
    expect(build(root, "ent-allow", "FROM busybox:latest\nRUN --security=insecure --network=host touch /i\n", {}, ["--allow", "network.host,security.insecure"]).code).toBe(0);
    expect(build(root, "ent-net", "FROM busybox:latest\nRUN --network=host touch /h\n", {}, ["--network", "host"]).code).toBe(0);
  });

  it("--ssh ID=SOCKET forwards that socket to RUN --mount=type=ssh,id=ID; an id not given fails a required mount", () => {
    const df = "FROM busybox:latest\nRUN --mount=type=ssh,id=deploy,required test -S $SSH_AUTH_SOCK && echo $SSH_AUTH_SOCK\n";
    const r = build(root, "ssh", df, {}, ["--ssh", `deploy=${sock}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(output(r)).toEqual(["/run/buildkit/ssh_agent.0"]);
    const missing = build(root, "ssh-missing", df, {}, ["--ssh", `other=${sock}`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ssh mount "deploy" is required but no --ssh deploy was given');
  });

  it("--ssh ID=KEY loads the key into an agent of the build's own, forwarded to the RUN and gone after it", async () => {
    const dir = temp("run-flags-key");
    const key = join(dir, "id_ed25519");
    expect(spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]).status).toBe(0);
    const fingerprint = spawnSync("ssh-keygen", ["-lf", `${key}.pub`], { encoding: "utf8" }).stdout.split(" ")[1];
    const ctx = context("run-flags-key-ctx", { Dockerfile: "FROM busybox:latest\nRUN --mount=type=ssh,id=deploy,required test -S $SSH_AUTH_SOCK && echo agent-up && sleep 3\n" });
    const run = startStrata(root, ["build", "--no-cache", "--progress", "plain", "--ssh", `deploy=${key}`, ctx]);
    // While the RUN sleeps, the build's agent (a child of strata) holds the key.
    const agents = (): string[] =>
      readdirSync("/proc")
        .filter((p) => /^\d+$/.test(p))
        .flatMap((p) => {
          const argv = (() => {
            try {
              return readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0");
            } catch {
              return [];
            }
          })();
          const i = argv.indexOf("-a");
          return argv[0]?.endsWith("ssh-agent") && i > 0 && argv[i + 1]?.includes("strata-ssh-") && readFileSync(`/proc/${p}/stat`, "utf8").split(" ")[3] === String(run.child.pid) ? [argv[i + 1] as string] : [];
        });
    let sockets: string[] = [];
    for (let i = 0; i < 100 && sockets.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      sockets = agents();
    }
    expect(sockets).toHaveLength(1);
    // The key is added right after the agent starts: ask until it is listed (the RUN sleeps 3s).
    let listed = "";
    for (let i = 0; i < 40 && !listed.includes(fingerprint as string); i++) {
      listed = spawnSync("ssh-add", ["-l"], { encoding: "utf8", env: { ...process.env, SSH_AUTH_SOCK: sockets[0] } }).stdout;
      if (!listed.includes(fingerprint as string)) await new Promise((r) => setTimeout(r, 50));
    }
    expect(listed).toContain(fingerprint);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^#2 \d+\.\d+ agent-up$/m);
    expect(agents()).toEqual([]);
    expect(spawnSync("test", ["-e", sockets[0] as string]).status).not.toBe(0);
  });
});
