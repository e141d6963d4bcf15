import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { mountsUnder, removeAllContainers } from "./helpers.ts";

/**
 * `docker run` flags for mounts, security, the process and its labels, with
 * real runc: each shows its effect inside the container, and bad values are
 * one-line errors with docker's words and exit code 125.
 */
describe("run flags", () => {
  let root: string;
  let cleanup: () => void;
  const temps: string[] = [];
  const n = (s: string): string => `${s}-${process.pid}`;
  const run = (...args: string[]) => strata(root, ["run", "--rm", ...args]);

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("run-flags"));
  });

  afterAll(() => {
    removeAllContainers(root);
    expect(mountsUnder(root)).toEqual([]);
    cleanup();
    for (const t of temps) rmSync(t, { recursive: true, force: true });
  });

  const temp = (name: string): string => {
    const d = tempDir(name);
    temps.push(d);
    return d;
  };

  it("--read-only: the root filesystem refuses writes; --tmpfs and /dev/shm stay writable", () => {
    const r = run("--read-only", "--tmpfs", "/run", "busybox", "sh", "-c", "touch /x; echo rc=$?; touch /run/ok && echo run-ok; touch /dev/shm/ok && echo shm-ok");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("rc=1\nrun-ok\nshm-ok\n");
    expect(r.stderr).toContain("touch: /x: Read-only file system");
  });

  it("--cap-drop takes a capability away (chown fails); --cap-drop ALL --cap-add keeps only the added ones", () => {
    const with_ = run("busybox", "chown", "1:1", "/tmp");
    expect(with_.code, with_.stderr).toBe(0);
    const without = run("--cap-drop", "chown", "busybox", "chown", "1:1", "/tmp");
    expect(without.code).toBe(1);
    expect(without.stderr).toContain("Operation not permitted");
    // CapBnd as a bit mask: CAP_CHOWN is bit 0, CAP_KILL bit 5.
    const only = run("--cap-drop", "ALL", "--cap-add", "CAP_KILL", "busybox", "grep", "^CapBnd:", "/proc/self/status");
    expect(only.stdout.trim()).toBe("CapBnd:\t0000000000000020");
    const bad = run("--cap-add", "NOPE", "busybox", "true");
    expect(bad.code).toBe(125);
    expect(bad.stderr).toBe('strata: error[CONTAINER_USAGE]: invalid CapAdd: unknown capability: "CAP_NOPE"\n');
  });

  it("--security-opt no-new-privileges sets the process's NoNewPrivs", () => {
    const r = run("--security-opt", "no-new-privileges", "busybox", "grep", "^NoNewPrivs:", "/proc/self/status");
    expect(r.stdout.trim()).toBe("NoNewPrivs:\t1");
    expect(run("busybox", "grep", "^NoNewPrivs:", "/proc/self/status").stdout.trim()).toBe("NoNewPrivs:\t0");
  });

  it("--mount type=tmpfs with size and mode, and --tmpfs with options, are tmpfs mounts (noexec,nosuid,nodev by default)", () => {
    const r = run("--mount", "type=tmpfs,destination=/scratch,tmpfs-size=2m,tmpfs-mode=1770", "--tmpfs", "/fast:size=1m,exec", "busybox", "sh", "-c", "grep -E ' /(scratch|fast) ' /proc/mounts; stat -c %A /scratch");
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.find((l) => l.includes(" /scratch "))).toMatch(/^tmpfs \/scratch tmpfs rw,nosuid,nodev,noexec,relatime,size=2048k,mode=1770 /);
    expect(lines.find((l) => l.includes(" /fast "))).toMatch(/^tmpfs \/fast tmpfs rw,nosuid,nodev,relatime,size=1024k /);
    expect(lines.at(-1)).toBe("drwxrwx--T");
    // Nothing of it in the container's changes: the mount point is in the init layer.
    const d = strata(root, ["run", "--name", n("tmpfs-diff"), "--tmpfs", "/newdir:mode=700", "busybox", "stat", "-c", "%A", "/newdir"]);
    expect(d.stdout).toBe("drwx------\n");
    expect(strata(root, ["diff", n("tmpfs-diff")]).stdout).toBe("");
    expect(strata(root, ["rm", n("tmpfs-diff")]).code).toBe(0);
  });

  it("--mount type=volume: a named volume outlives the container and starts with the image's files (copy-up); a bind needs its source", () => {
    const vol = n("data");
    const first = run("--mount", `source=${vol},target=/etc`, "busybox", "sh", "-c", "cat /etc/passwd | head -1; echo kept > /etc/mine");
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe("root:x:0:0:root:/root:/bin/sh\n");
    const second = run("--mount", `type=volume,src=${vol},dst=/data,readonly`, "busybox", "sh", "-c", "cat /data/mine; touch /data/x 2>&1");
    expect(second.stdout).toBe("kept\ntouch: /data/x: Read-only file system\n");
    expect(readdirSync(join(root, "volumes", vol, "_data"))).toContain("mine");

    const host = temp("bind-src");
    writeFileSync(join(host, "f"), "from the host\n");
    const bind = run("--mount", `type=bind,src=${host},dst=/h,ro`, "busybox", "cat", "/h/f");
    expect(bind.stdout).toBe("from the host\n");
    const missing = run("--mount", `type=bind,src=${join(host, "nope")},dst=/h`, "busybox", "true");
    expect(missing.code).toBe(125);
    expect(missing.stderr).toBe(`strata: error[CONTAINER_USAGE]: invalid mount config for type "bind": bind source path does not exist: ${join(host, "nope")}\n`);
    expect(existsSync(join(host, "nope"))).toBe(false);
    const mixed = run("--mount", "type=bind,src=/tmp,dst=/x,tmpfs-size=1m", "busybox", "true");
    expect(mixed.code).toBe(125);
    expect(mixed.stderr).toBe(`strata: error[USAGE]: invalid argument "type=bind,src=/tmp,dst=/x,tmpfs-size=1m" for "--mount" flag: cannot mix 'tmpfs-*' options with mount type 'bind'\n`);
    const noTarget = run("--mount", "type=tmpfs", "busybox", "true");
    expect(noTarget.stderr).toContain("target is required");
    const badName = run("--mount", "source=../x,target=/x", "busybox", "true");
    expect(badName.code).toBe(125);
    expect(badName.stderr).toContain("includes invalid characters for a local volume name");
  });

  it("--env-file: docker's lines (comments, blanks, untrimmed values, a bare name from this environment), -e wins", () => {
    const dir = temp("env-file");
    const file = join(dir, "app.env");
    writeFileSync(file, "\uFEFFA=from-file\n# a comment\n\n   B= spaced value \nFROM_HOST\nUNSET_HERE\nC=1\n");
    const r = run("--env-file", file, "-e", "C=2", "busybox", "env");
    expect(r.code, r.stderr).toBe(0);
    const env = r.stdout.split("\n");
    expect(env).toContain("A=from-file");
    expect(env).toContain("B= spaced value ");
    expect(env).toContain("FROM_HOST=host-value");
    expect(env).toContain("C=2");
    expect(env.some((l) => l.startsWith("UNSET_HERE"))).toBe(false);
  });

  it("exec --env-file: the file's lines in the exec'd process, -e after them", () => {
    const dir = temp("exec-env-file");
    const file = join(dir, "exec.env");
    writeFileSync(file, "# exec's\nX=from-file\nY=1\n");
    const name = n("exec-env");
    expect(strata(root, ["run", "-d", "--name", name, "busybox", "sleep", "60"]).code).toBe(0);
    const r = strata(root, ["exec", "--env-file", file, "-e", "Y=2", name, "env"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")).toEqual(expect.arrayContaining(["X=from-file", "Y=2"]));
    expect(strata(root, ["exec", "--env-file", join(dir, "nope.env"), name, "true"]).code).not.toBe(0);
    strata(root, ["rm", "-f", name]);
  });

  it("--env-file errors name the file and line", () => {
    const dir = temp("env-bad");
    const file = join(dir, "bad.env");
    writeFileSync(file, "OK=1\nBAD KEY=2\n");
    const r = run("--env-file", file, "busybox", "true");
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(`strata: error[CONTAINER_USAGE]: ${file}:2: poorly formatted environment: variable 'BAD KEY' contains whitespaces\n`);
    const missing = run("--env-file", join(dir, "nope.env"), "busybox", "true");
    expect(missing.code).toBe(125);
    expect(missing.stderr).toBe(`strata: error[CONTAINER_USAGE]: open ${join(dir, "nope.env")}: no such file or directory\n`);
  });

  it("--init runs tini as PID 1, the command under it, and passes its exit code through", () => {
    const r = run("--init", "busybox", "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; echo $$");
    expect(r.code, r.stderr).toBe(0);
    const [cmdline, pid] = r.stdout.split("\n");
    expect(cmdline).toBe("/sbin/docker-init -- sh -c cat /proc/1/cmdline | tr '\\0' ' '; echo; echo $$ ");
    expect(Number(pid)).toBeGreaterThan(1);
    const code = run("--init", "busybox", "sh", "-c", "exit 7");
    expect(code.code).toBe(7);
  });

  it("--ulimit sets the process's limits", () => {
    const r = run("--ulimit", "nofile=512:1024", "busybox", "sh", "-c", "ulimit -n; ulimit -Hn");
    expect(r.stdout).toBe("512\n1024\n");
    const bad = run("--ulimit", "nofile=2:1", "busybox", "true");
    expect(bad.code).toBe(125);
    expect(bad.stderr).toContain("ulimit soft limit must be less than or equal to hard limit: 2 > 1");
  });

  it("--device gives the container a host device under its own name, allowed in its device cgroup", () => {
    const r = run("--device", "/dev/zero:/dev/myzero", "busybox", "sh", "-c", "head -c 4 /dev/myzero | od -An -tx1");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("00 00 00 00");
    expect(run("busybox", "ls", "/dev/myzero").code).toBe(1);
    // The device cgroup allows it with the permissions given (v1 lists its rules; v2 has no such file).
    if (existsSync("/sys/fs/cgroup/devices/devices.list")) {
      const rules = run("--device", "/dev/kmsg:/dev/k:r", "busybox", "cat", "/sys/fs/cgroup/devices/devices.list");
      expect(rules.stdout.split("\n")).toContain("c 1:11 r");
    }
    const missing = run("--device", "/dev/no-such-device", "busybox", "true");
    expect(missing.code).toBe(125);
    expect(missing.stderr).toBe('strata: error[CONTAINER_USAGE]: error gathering device information while adding custom device "/dev/no-such-device": no such file or directory\n');
  });

  it("--label is kept with the image's labels on the container", () => {
    const name = n("labelled");
    const r = strata(root, ["run", "--name", name, "-l", "tier=web", "--label", "empty", "busybox", "true"]);
    expect(r.code, r.stderr).toBe(0);
    // The record (docker's Config.Labels; `inspect` shows the record).
    const records = readdirSync(join(root, "containers"))
      .filter((d) => /^[a-f0-9]{64}$/.test(d))
      .map((d) => JSON.parse(readFileSync(join(root, "containers", d, "config.json"), "utf8")) as { name: string; labels?: Record<string, string> });
    const rec = records.find((c) => c.name === name);
    expect(rec?.labels).toEqual({ tier: "web", empty: "" });
    expect(strata(root, ["inspect", "-f", "{{json .Config.Labels}}", name]).stdout).toBe('{"empty":"","tier":"web"}\n');
    expect(strata(root, ["rm", name]).code).toBe(0);
  });

  it("inspect's HostConfig shows what run set: capabilities, privileges, read-only root, limits, ulimits, seccomp, init", () => {
    const name = n("hostcfg");
    const r = strata(root, ["run", "--name", name, "--cap-drop", "NET_RAW", "--read-only", "--security-opt", "no-new-privileges", "--ulimit", "nofile=100:200", "--init", "busybox", "true"]);
    expect(r.code, r.stderr).toBe(0);
    const h = JSON.parse(strata(root, ["inspect", "-f", "{{json .HostConfig}}", name]).stdout) as Record<string, unknown>;
    expect(h).toMatchObject({ CapDrop: ["CAP_NET_RAW"], ReadonlyRootfs: true, SecurityOpt: ["no-new-privileges"], Ulimits: [{ Name: "nofile", Soft: 100, Hard: 200 }], Init: true, Privileged: false });
    expect(strata(root, ["rm", name]).code).toBe(0);
  });

  it("-a stdout attaches only stdout; -a with -d is docker's conflict", () => {
    const r = run("-a", "stdout", "busybox", "sh", "-c", "echo out; echo err >&2");
    expect(r.stdout).toBe("out\n");
    expect(r.stderr).toBe("");
    const e = run("-a", "stderr", "busybox", "sh", "-c", "echo out; echo err >&2");
    expect(e.stdout).toBe("");
    expect(e.stderr).toBe("err\n");
    const d = strata(root, ["run", "-d", "-a", "stdout", "busybox", "true"]);
    expect(d.code).toBe(125);
    expect(d.stderr).toBe("strata: error[USAGE]: Conflicting options: -a and -d\n");
  });

  it("a container started again keeps its flags (start re-reads the record)", () => {
    const name = n("again");
    const r = strata(root, ["run", "-d", "--name", name, "--read-only", "--cap-drop", "ALL", "busybox", "sleep", "300"]);
    expect(r.code, r.stderr).toBe(0);
    expect(strata(root, ["stop", "-t", "0", name]).code).toBe(0);
    expect(strata(root, ["start", name]).code).toBe(0);
    const e = strata(root, ["exec", name, "sh", "-c", "touch /x 2>&1; grep ^CapBnd /proc/self/status"]);
    expect(e.stdout).toBe("touch: /x: Read-only file system\nCapBnd:\t0000000000000000\n");
    expect(strata(root, ["rm", "-f", name]).code).toBe(0);
  });
});

beforeAll(() => {
  // What the env-file's bare names take from strata's environment.
  process.env.FROM_HOST = "host-value";
  delete process.env.UNSET_HERE;
});
