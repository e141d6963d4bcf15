import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { eventually, mountsUnder, removeAllContainers, sleep, strataAsync } from "./helpers.ts";

/** Containers as state on disk: ps, logs, stop/start/kill, rm, exec, exit codes, options, terminals, signals. */
describe("containers", () => {
  let root: string;
  let cleanup: () => void;
  const temps: string[] = [];
  const n = (s: string): string => `${s}-${process.pid}`;

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("container-life"));
  });

  afterAll(() => {
    removeAllContainers(root);
    expect(mountsUnder(root)).toEqual([]);
    cleanup();
    for (const t of temps) rmSync(t, { recursive: true, force: true });
  });

  const statusOf = (name: string): string => {
    const line = strata(root, ["ps", "-a"]).stdout.split("\n").find((l) => l.trimEnd().endsWith(` ${name}`)) ?? "";
    return (/(Up .*?|Exited \(-?\d+\) .*? ago|Created)\s{3,}/.exec(line) ?? [])[1] ?? line;
  };

  it("ps lists running containers, -a also stopped ones, -q only ids; status strings as docker's", async () => {
    const up = strata(root, ["run", "-d", "--name", n("sleeper"), "busybox", "sleep", "300"]);
    expect(up.code, up.stderr).toBe(0);
    const done = strata(root, ["run", "--name", n("done"), "busybox", "true"]);
    expect(done.code, done.stderr).toBe(0);
    const failed = strata(root, ["run", "--name", n("never"), "busybox", "/no/such/binary"]);
    expect(failed.code).toBe(127);

    const ps = strata(root, ["ps"]);
    expect(ps.stdout.split("\n")[0]).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    expect(ps.stdout).toContain(n("sleeper"));
    expect(ps.stdout).not.toContain(n("done"));
    expect(statusOf(n("sleeper"))).toMatch(/^Up (Less than a second|\d+ seconds?)$/);
    expect(statusOf(n("done"))).toMatch(/^Exited \(0\) (Less than a second|\d+ seconds?) ago$/);
    expect(statusOf(n("never"))).toBe("Created");

    const q = strata(root, ["ps", "-q"]).stdout.trim().split("\n");
    expect(q).toEqual([up.stdout.trim().slice(0, 12)]);
    expect(strata(root, ["ps", "-aq"]).stdout.trim().split("\n")).toHaveLength(3);
    expect(strata(root, ["container", "ls", "-a", "-q"]).stdout.trim().split("\n")).toHaveLength(3);
    await sleep(1100);
    expect(statusOf(n("sleeper"))).toMatch(/^Up \d+ seconds?$/);
    for (const c of ["sleeper", "done", "never"]) expect(strata(root, ["rm", "-f", n(c)]).code).toBe(0);
  });

  it("generates docker-style names and keeps names unique", () => {
    const a = strata(root, ["run", "-d", "busybox", "sleep", "300"]);
    expect(a.code, a.stderr).toBe(0);
    const line = strata(root, ["ps"]).stdout.split("\n").find((l) => l.startsWith(a.stdout.slice(0, 12))) ?? "";
    const name = line.split(/\s+/).pop() ?? "";
    expect(name).toMatch(/^[a-z]+_[a-z]+\d?$/);
    const dup = strata(root, ["run", "-d", "--name", name, "busybox", "true"]);
    expect(dup.code).toBe(125);
    expect(dup.stderr).toContain(`the container name "${name}" is already in use`);
    expect(strata(root, ["rm", "-f", name]).code).toBe(0);
  });

  it("logs prints a detached container's output, stdout and stderr apart; logs -f follows it until it stops", async () => {
    const name = n("talker");
    const r = strata(root, ["run", "-d", "--name", name, "busybox", "sh", "-c", "echo one; echo two >&2; until [ -e /go ]; do sleep 0.1; done; echo three; sleep 300"]);
    expect(r.code, r.stderr).toBe(0);
    await eventually(() => strata(root, ["logs", name]).stderr.includes("two"));
    // stdout to stdout, stderr to stderr, as docker's logs.
    const lines = (text: string) => text.split("\n").filter((l) => l !== "").sort();
    const logs = strata(root, ["logs", name]);
    expect(lines(logs.stdout)).toEqual(["one"]);
    expect(logs.stderr).toBe("two\n");
    const follow = strataAsync(root, ["logs", "-f", name]);
    // "three" only once the logs above are read (a fixed sleep lost that race on a loaded runner).
    expect(strata(root, ["exec", name, "touch", "/go"]).code).toBe(0);
    await eventually(() => follow.output().includes("three"));
    expect(follow.child.exitCode).toBe(null);
    expect(strata(root, ["kill", name]).code).toBe(0);
    const f = await follow.done;
    expect(f.code).toBe(0);
    expect(lines(f.stdout)).toEqual(["one", "three"]);
    expect(f.stderr).toBe("two\n");
    expect(f.stdout.endsWith("three\n")).toBe(true);
    expect(statusOf(name)).toMatch(/^Exited \(137\)/);
    expect(strata(root, ["rm", name]).code).toBe(0);
  });

  it("stop sends SIGTERM then SIGKILL; start runs it again on the same files; kill sends a signal", async () => {
    const name = n("cycle");
    const r = strata(root, ["run", "-d", "--name", name, "busybox", "sh", "-c", "trap 'echo term; exit 0' TERM; echo started >> /count; while :; do sleep 0.1; done"]);
    expect(r.code, r.stderr).toBe(0);
    await eventually(() => strata(root, ["logs", name]).stdout.length >= 0 && statusOf(name).startsWith("Up"));
    const stop = strata(root, ["stop", name]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toBe(`${name}\n`);
    expect(statusOf(name)).toMatch(/^Exited \(0\)/);
    expect(strata(root, ["logs", name]).stdout).toBe("term\n");

    const start = strata(root, ["start", name]);
    expect(start.code, start.stderr).toBe(0);
    expect(statusOf(name)).toMatch(/^Up /);
    const count = strata(root, ["exec", name, "cat", "/count"]);
    expect(count.stdout).toBe("started\nstarted\n");

    const kill = strata(root, ["kill", "-s", "TERM", name]);
    expect(kill.code, kill.stderr).toBe(0);
    await eventually(() => statusOf(name).startsWith("Exited (0)"));
    expect(strata(root, ["kill", name]).stderr).toContain("is not running");

    // A process that ignores SIGTERM is killed after -t seconds.
    const stubborn = n("stubborn");
    expect(strata(root, ["run", "-d", "--name", stubborn, "busybox", "sleep", "300"]).code).toBe(0);
    const t0 = Date.now();
    expect(strata(root, ["stop", "-t", "1", stubborn]).code).toBe(0);
    expect(Date.now() - t0).toBeGreaterThan(900);
    expect(statusOf(stubborn)).toMatch(/^Exited \(137\)/);
    expect(strata(root, ["rm", name, stubborn]).code).toBe(0);
  });

  it("rm refuses a running container; rm -f leaves no mount, no runc state, no files", () => {
    const name = n("doomed");
    const r = strata(root, ["run", "-d", "--name", name, "busybox", "sleep", "300"]);
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    // Its rootfs and its network namespace (a private network, the default).
    expect(mountsUnder(join(root, "containers", id)).map((m) => m.slice(join(root, "containers", id).length)).sort()).toEqual(["/merged", "/net/netns"]);
    const refused = strata(root, ["rm", name]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("it is running");
    const rm = strata(root, ["rm", "-f", name]);
    expect(rm.code, rm.stderr).toBe(0);
    expect(mountsUnder(root)).toEqual([]);
    expect(existsSync(join(root, "runc", `strata-c-${id.slice(0, 12)}`))).toBe(false);
    expect(existsSync(join(root, "containers", id))).toBe(false);
    expect(spawnSync("runc", ["--root", join(root, "runc"), "list", "-q"], { encoding: "utf8" }).stdout.trim()).toBe("");
    // The name is free again.
    expect(strata(root, ["run", "--rm", "--name", name, "busybox", "true"]).code).toBe(0);
  });

  it("a live container survives other strata commands opening the store (no reclaim)", () => {
    const name = n("survivor");
    expect(strata(root, ["run", "-d", "--name", name, "busybox", "sleep", "300"]).code).toBe(0);
    const images = strata(root, ["images"]);
    expect(images.stderr).not.toContain("reclaimed");
    expect(statusOf(name)).toMatch(/^Up /);
    expect(strata(root, ["exec", name, "true"]).code).toBe(0);
    expect(strata(root, ["rm", "-f", name]).code).toBe(0);
  });

  it("errors: No such container, usage errors 125, not found 127, not executable 126", () => {
    for (const args of [["logs", "my"], ["exec", "my", "true"], ["stop", "my"], ["diff", "my"], ["commit", "my"], ["rm", "my"]]) {
      const r = strata(root, args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toBe("strata: error[NO_SUCH_CONTAINER]: No such container: my\n");
    }
    expect(strata(root, ["run", "--no-such-flag", "busybox"]).code).toBe(125);
    expect(strata(root, ["ps", "--bogus"]).code).toBe(125);
    expect(strata(root, ["exec"]).code).toBe(125);
    expect(strata(root, ["run", "--rm", "--pull", "never", "nosuchimage:1", "true"]).code).toBe(125);
    expect(strata(root, ["run", "--rm", "-v", "relative:/x", "busybox", "true"]).code).toBe(125);
    const notFound = strata(root, ["run", "--rm", "busybox", "nosuchcommand"]);
    expect(notFound.code).toBe(127);
    expect(notFound.stderr).toMatch(/^strata: error\[START_NOT_FOUND\]: cannot start container [a-z]+_[a-z]+\d?: exec: "nosuchcommand": executable file not found in \$PATH\n$/);
    const notExec = strata(root, ["run", "--rm", "busybox", "/etc/passwd"]);
    expect(notExec.code).toBe(126);
    expect(notExec.stderr).toContain("permission denied");
    expect(strata(root, ["run", "--rm", "-u", "ghost", "busybox", "true"]).code).toBe(125);
    expect(strata(root, ["run", "--rm", "busybox", "sh", "-c", "exit 42"]).code).toBe(42);
    // --rm removed all of them, also those that could not start.
    expect(strata(root, ["ps", "-aq"]).stdout).toBe("");

    const name = n("execerr");
    expect(strata(root, ["run", "-d", "--name", name, "busybox", "sleep", "300"]).code).toBe(0);
    expect(strata(root, ["exec", name, "nosuchcommand"]).code).toBe(127);
    expect(strata(root, ["exec", name, "/etc/passwd"]).code).toBe(126);
    expect(strata(root, ["exec", name, "sh", "-c", "exit 5"]).code).toBe(5);
    expect(strata(root, ["rm", "-f", name]).code).toBe(0);
  });

  it("-e, -w, -u and -v (rw and ro) apply to the process, exec takes -e and -w", () => {
    const host = tempDir("container-vol");
    temps.push(host);
    chmodSync(host, 0o755); // mkdtemp makes it 0700: nobody could not read it
    writeFileSync(join(host, "in.txt"), "from host\n");
    const ro = join(host, "ro");
    mkdirSync(ro);
    writeFileSync(join(ro, "keep.txt"), "keep\n");
    const r = strata(root, [
      "run", "--rm", "-e", "GREETING=hello", "-w", "/srv/app", "-u", "nobody", "-v", `${host}:/data`, "-v", `${ro}:/ro:ro`,
      "busybox", "sh", "-c", 'echo "$GREETING"; pwd; id -u; cat /data/in.txt; echo out > /data/out.txt 2>/dev/null || echo nowrite; echo x > /ro/new.txt 2>/dev/null || echo rofs',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("hello\n/srv/app\n65534\nfrom host\nnowrite\nrofs\n");
    const rw = strata(root, ["run", "--rm", "-v", `${host}:/data`, "busybox", "sh", "-c", "echo written > /data/out.txt"]);
    expect(rw.code, rw.stderr).toBe(0);
    expect(readFileSync(join(host, "out.txt"), "utf8")).toBe("written\n");
    expect(existsSync(join(ro, "new.txt"))).toBe(false);

    const name = n("envs");
    expect(strata(root, ["run", "-d", "--name", name, "-e", "A=1", "busybox", "sleep", "300"]).code).toBe(0);
    const ex = strata(root, ["exec", "-e", "B=2", "-w", "/tmp", name, "sh", "-c", 'echo "$A$B"; pwd']);
    expect(ex.stdout).toBe("12\n/tmp\n");
    expect(strata(root, ["rm", "-f", name]).code).toBe(0);
  });

  it("run -it gives a shell on a pseudo-terminal and passes its exit code", () => {
    const driver = join(repoRoot, "specs/container/drive_tty.py");
    const r = spawnSync("/usr/bin/python3", [driver, "echo hi; exit 3", process.execPath, join(repoRoot, "bin/strata.js"), "--root", root, "run", "-it", "--rm", "busybox", "sh"], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr + r.stdout).toBe(3);
    expect(r.stdout).toMatch(/hi\r\n/);
    // exec -it as well.
    const name = n("tty");
    expect(strata(root, ["run", "-d", "--name", name, "busybox", "sleep", "300"]).code).toBe(0);
    const e = spawnSync("/usr/bin/python3", [driver, "tty; exit 4", process.execPath, join(repoRoot, "bin/strata.js"), "--root", root, "exec", "-it", name, "sh"], { encoding: "utf8", timeout: 60_000 });
    expect(e.status, e.stderr + e.stdout).toBe(4);
    expect(e.stdout).toMatch(/\/dev\/pts\/\d+/);
    expect(strata(root, ["rm", "-f", name]).code).toBe(0);
    // -it without a terminal is refused as docker does.
    expect(strata(root, ["run", "-it", "--rm", "busybox", "true"]).code).toBe(125);
  });

  it("run in the foreground forwards SIGTERM and SIGINT to the container and cleans up", async () => {
    const name = n("fg");
    const fg = strataAsync(root, ["run", "--rm", "--name", name, "busybox", "sh", "-c", "trap 'echo caught; exit 7' TERM INT; echo ready; while :; do sleep 0.1; done"]);
    await eventually(() => fg.output().includes("ready"));
    fg.child.kill("SIGTERM");
    const r = await fg.done;
    expect(r.code, r.stderr).toBe(7);
    expect(r.stdout).toBe("ready\ncaught\n");
    expect(strata(root, ["ps", "-aq"]).stdout).toBe("");
    expect(mountsUnder(root)).toEqual([]);

    const fg2 = strataAsync(root, ["run", "--name", name, "busybox", "sleep", "300"]);
    await eventually(() => statusOf(name).startsWith("Up"));
    // sleep as pid 1 ignores SIGINT; a second signal kills it.
    fg2.child.kill("SIGINT");
    await sleep(300);
    fg2.child.kill("SIGINT");
    const r2 = await fg2.done;
    expect(r2.code, r2.stderr).toBe(137);
    expect(statusOf(name)).toMatch(/^Exited \(137\)/);
    expect(mountsUnder(root)).toEqual([]);
    expect(strata(root, ["rm", name]).code).toBe(0);
  });

  it("commit -c applies CMD, ENV, WORKDIR, LABEL, EXPOSE, USER; a stopped container commits too", () => {
    const name = n("changes");
    expect(strata(root, ["run", "--name", name, "busybox", "sh", "-c", "echo data > /made"]).code).toBe(0);
    const diff = strata(root, ["diff", name]);
    expect(diff.stdout).toBe("A /made\n");
    const c = strata(root, [
      "commit", "-c", "ENV GREETING=hi", "-c", 'CMD ["sh", "-c", "echo $GREETING; pwd; cat /made; id -u"]', "-c", "WORKDIR /work", "-c", "LABEL a=b", "-c", "EXPOSE 8080", "-c", "USER 65534",
      name, "changed:1",
    ]);
    expect(c.code, c.stderr).toBe(0);
    const run = strata(root, ["run", "--rm", "changed:1"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("hi\n/work\ndata\n65534\n");
    const bad = strata(root, ["commit", "-c", "RUN echo no", name]);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toContain("RUN is not supported");
    expect(strata(root, ["rm", name]).code).toBe(0);
  });
});
