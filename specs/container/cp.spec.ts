import { spawnSync } from "node:child_process";
import { chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { tarOf } from "../reliability/tars.ts";
import { mountsUnder, removeAllContainers } from "./helpers.ts";

/**
 * `cp` with real runc: both directions, docker's path rules, tars on stdin and stdout, running and
 * stopped containers, and the container's own symlinks (absolute, and climbing with `..`) resolved
 * inside the container, never on the host.
 */
describe("cp", () => {
  let root: string;
  let cleanup: () => void;
  let host: string;
  const n = (s: string): string => `cp-${s}-${process.pid}`;
  const ok = (args: string[], input?: Buffer) => {
    const r = strata(root, args, input === undefined ? {} : { input });
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return r;
  };
  const inside = (name: string, script: string): string => ok(["exec", name, "sh", "-c", script]).stdout;
  // A file name no one else uses, so its absence anywhere outside the container means something.
  const marker = `strata-cp-escape-${process.pid}`;

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("cp"));
    host = tempDir("cp-host");
    const setup = [
      "mkdir -p /data/sub /data/empty",
      "echo hello > /data/f.txt",
      "echo deep > /data/sub/d",
      // Absolute: on the host it would name the host's /etc.
      "ln -s /etc /data/link",
      // Relative, climbing far above the root.
      "ln -s ../../../../../../.. /esc",
      "ln -s ../../../.. /data/up",
      "exec sleep 300",
    ].join(" && ");
    ok(["run", "-d", "--name", n("run"), "busybox", "sh", "-c", setup]);
    for (let i = 0; i < 100 && strata(root, ["exec", n("run"), "test", "-L", "/data/up"]).code !== 0; i++) spawnSync("sleep", ["0.1"]);
  });

  afterAll(() => {
    removeAllContainers(root);
    expect(mountsUnder(root)).toEqual([]);
    cleanup();
    rmSync(host, { recursive: true, force: true });
    for (const p of [`/${marker}`, `/etc/${marker}`, `/tmp/${marker}`]) expect(existsSync(p), p).toBe(false);
  });

  it("copies a directory out and back in: files, subdirectories and a symlink pointing outside, kept as a link", () => {
    const out = join(host, "out");
    ok(["cp", `${n("run")}:/data`, out]);
    expect(readFileSync(join(out, "f.txt"), "utf8")).toBe("hello\n");
    expect(readFileSync(join(out, "sub/d"), "utf8")).toBe("deep\n");
    expect(lstatSync(join(out, "link")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(out, "link"))).toBe("/etc");
    expect(statSync(join(out, "empty")).isDirectory()).toBe(true);
    writeFileSync(join(out, "sub/new"), "from the host\n");
    ok(["cp", out, `${n("run")}:/data2`]);
    expect(inside(n("run"), "cat /data2/f.txt /data2/sub/d /data2/sub/new; readlink /data2/link")).toBe("hello\ndeep\nfrom the host\n/etc\n");
  });

  it("resolves a link to an absolute path inside the container: reading and writing through it reach the container's /etc", () => {
    ok(["cp", `${n("run")}:/data/link/hostname`, join(host, "hostname")]);
    expect(readFileSync(join(host, "hostname"), "utf8")).toBe(inside(n("run"), "cat /etc/hostname"));
    expect(readFileSync(join(host, "hostname"), "utf8")).not.toBe(readFileSync("/etc/hostname", "utf8"));
    // -L follows the named link: the container's /etc, under the link's name.
    ok(["cp", "-L", `${n("run")}:/data/link`, join(host, "etc-copy")]);
    expect(readFileSync(join(host, "etc-copy/passwd"), "utf8")).toBe(inside(n("run"), "cat /etc/passwd"));
    writeFileSync(join(host, marker), "into the container's etc\n");
    ok(["cp", join(host, marker), `${n("run")}:/data/link/`]);
    expect(inside(n("run"), `cat /etc/${marker}`)).toBe("into the container's etc\n");
    expect(existsSync(`/etc/${marker}`)).toBe(false);
  });

  it("never escapes: a link climbing with .. stops at the container's root, both ways", () => {
    writeFileSync(join(host, marker), "at the root\n");
    ok(["cp", join(host, marker), `${n("run")}:/esc/`]);
    ok(["cp", join(host, marker), `${n("run")}:/data/up/tmp/`]);
    expect(inside(n("run"), `cat /${marker} /tmp/${marker}`)).toBe("at the root\nat the root\n");
    expect(existsSync(`/${marker}`)).toBe(false);
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
    expect(existsSync(join(root, marker))).toBe(false);
    ok(["cp", `${n("run")}:/esc/etc/passwd`, join(host, "passwd")]);
    expect(readFileSync(join(host, "passwd"), "utf8")).toBe(inside(n("run"), "cat /etc/passwd"));
  });

  it("a tar on stdin is extracted inside the destination: its links are the container's, and an entry climbing out is refused", () => {
    const evil = tarOf([
      { name: "hop", type: "symlink", linkname: "/" },
      { name: `hop/tmp/${marker}`, body: "through a link\n" },
    ]);
    ok(["cp", "-", `${n("run")}:/data/sub`], evil);
    expect(inside(n("run"), `cat /data/sub/tmp/${marker}`)).toBe("through a link\n");
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
    const climbing = strata(root, ["cp", "-", `${n("run")}:/data/sub`], { input: tarOf([{ name: `../../../../${marker}-climb`, body: "x" }]) });
    expect(climbing.code).toBe(1);
    expect(climbing.stderr).toMatch(/^strata: error\[LAYER_PATH_ESCAPE\]: .*escapes the root\n$/);
    expect(strata(root, ["exec", n("run"), "sh", "-c", `find / -xdev -name '${marker}-climb' | grep .`]).code).toBe(1);
    expect(existsSync(`/${marker}-climb`)).toBe(false);
    const notDir = strata(root, ["cp", "-", `${n("run")}:/data/f.txt`], { input: evil });
    expect([notDir.code, notDir.stderr]).toEqual([1, `strata: error[CP_DESTINATION]: destination "${n("run")}:/data/f.txt" must be a directory\n`]);
  });

  it("writes a tar to stdout: the source under its own name, or its contents for dir/.", () => {
    const r = spawnSync(process.execPath, [join(repoRoot, "bin/strata.js"), "--root", root, "cp", `${n("run")}:/data/sub`, "-"], { maxBuffer: 1 << 24 });
    expect(r.status, r.stderr.toString()).toBe(0);
    const list = spawnSync("tar", ["-t"], { input: r.stdout, encoding: "utf8" }).stdout.split("\n").filter(Boolean).sort();
    expect(list).toContain("sub/");
    expect(list).toContain("sub/d");
    const contents = spawnSync(process.execPath, [join(repoRoot, "bin/strata.js"), "--root", root, "cp", `${n("run")}:/data/.`, "-"], { maxBuffer: 1 << 24 });
    expect(spawnSync("tar", ["-t"], { input: contents.stdout, encoding: "utf8" }).stdout.split("\n")).toContain("./f.txt");
  });

  it("follows docker's rules for files and directories, existing or not, and dir/.", () => {
    const c = n("run");
    const dest = join(host, "rules");
    mkdirSync(dest);
    ok(["cp", `${c}:/data/f.txt`, dest]);
    expect(readFileSync(join(dest, "f.txt"), "utf8")).toBe("hello\n");
    ok(["cp", `${c}:/data/f.txt`, join(dest, "renamed")]);
    expect(readFileSync(join(dest, "renamed"), "utf8")).toBe("hello\n");
    writeFileSync(join(dest, "existing"), "old");
    ok(["cp", `${c}:/data/f.txt`, join(dest, "existing")]);
    expect(readFileSync(join(dest, "existing"), "utf8")).toBe("hello\n");
    ok(["cp", `${c}:/data/sub`, dest]);
    expect(readFileSync(join(dest, "sub/d"), "utf8")).toBe("deep\n");
    ok(["cp", `${c}:/data/sub/.`, dest]);
    expect(readFileSync(join(dest, "d"), "utf8")).toBe("deep\n");
    const dirToFile = strata(root, ["cp", `${c}:/data/sub`, join(dest, "existing")]);
    expect([dirToFile.code, dirToFile.stderr]).toEqual([1, `strata: error[CP_DESTINATION]: cannot copy a directory to a file: ${join(dest, "existing")} is a file\n`]);
    const noDir = strata(root, ["cp", `${c}:/data/f.txt`, join(dest, "missing/")]);
    expect([noDir.code, noDir.stderr]).toEqual([1, `strata: error[CP_DESTINATION]: the destination directory must exist: ${join(dest, "missing/")}\n`]);
    const missing = strata(root, ["cp", `${c}:/nope`, dest]);
    expect([missing.code, missing.stderr]).toEqual([1, `strata: error[CP_NOT_FOUND]: Could not find the file /nope in container ${c}\n`]);
    // A directory is never replaced by a file, nor the reverse.
    mkdirSync(join(dest, "f2"));
    ok(["exec", c, "sh", "-c", "mkdir -p /x && echo f > /x/f2"]);
    const clash = strata(root, ["cp", `${c}:/x/.`, dest]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain("LAYER_DIR_CONFLICT");
    expect(statSync(join(dest, "f2")).isDirectory()).toBe(true);
    for (const [args, message] of [
      [["cp", "a", "b"], "must specify at least one container source"],
      [["cp", "a:/x", "b:/y"], "copying between containers is not supported"],
    ] as const) {
      const r = strata(root, [...args]);
      expect([r.code, r.stderr]).toEqual([125, `strata: error[CONTAINER_USAGE]: ${message}\n`]);
    }
  });

  it("goes through the container's bind mounts: into a -v directory's host source, never into a read-only one or over a mounted file", () => {
    const c = n("binds");
    const rw = join(host, "rw-vol");
    const ro = join(host, "ro-vol");
    mkdirSync(rw);
    mkdirSync(ro);
    writeFileSync(join(ro, "inside"), "from the volume\n");
    ok(["run", "-d", "--name", c, "-v", `${rw}:/rw`, "-v", `${ro}:/ro:ro`, "busybox", "sleep", "300"]);
    writeFileSync(join(host, "payload"), "payload\n");
    ok(["cp", join(host, "payload"), `${c}:/rw/`]);
    expect(readFileSync(join(rw, "payload"), "utf8")).toBe("payload\n");
    ok(["cp", `${c}:/ro/inside`, join(host, "inside")]);
    expect(readFileSync(join(host, "inside"), "utf8")).toBe("from the volume\n");
    const readOnly = strata(root, ["cp", join(host, "payload"), `${c}:/ro/`]);
    expect([readOnly.code, readOnly.stderr]).toEqual([1, `strata: error[CP_DESTINATION]: mounted volume is marked read-only: cannot copy to ${c}:/ro\n`]);
    expect(existsSync(join(ro, "payload"))).toBe(false);
    const hosts = strata(root, ["cp", join(host, "payload"), `${c}:/etc/hosts`]);
    expect([hosts.code, hosts.stderr]).toEqual([1, `strata: error[CP_DESTINATION]: cannot copy to ${c}:/etc/hosts: it is a bind mount of the container\n`]);
    expect(readFileSync("/etc/hosts", "utf8")).not.toContain("payload");
  });

  it("works on a stopped container, leaves nothing mounted, and sets owners as docker's reference says (root, or the source's with -a)", () => {
    const c = n("stopped");
    ok(["create", "--name", c, "busybox", "sh", "-c", "stat -c '%u:%g %n' /in/owned /in-a/owned; cat /in/owned"]);
    const src = join(host, "owned-dir");
    mkdirSync(src);
    writeFileSync(join(src, "owned"), "mine\n");
    chownSync(join(src, "owned"), 1234, 4321);
    ok(["cp", src, `${c}:/in`]);
    ok(["cp", "-a", src, `${c}:/in-a`]);
    expect(mountsUnder(root).filter((m) => m.includes(c))).toEqual([]);
    const r = ok(["start", "-a", c]);
    expect(r.stdout).toBe("0:0 /in/owned\n1234:4321 /in-a/owned\nmine\n");
    ok(["cp", `${c}:/in/owned`, join(host, "owned-back")]);
    expect(readFileSync(join(host, "owned-back"), "utf8")).toBe("mine\n");
    expect(statSync(join(host, "owned-back")).uid).toBe(process.getuid?.());
  });
});
