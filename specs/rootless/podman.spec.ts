/**
 * Strata inside a rootless podman container (issue 20, item 4; docs/rootless.md): the ordinary
 * user `strata-rootless` starts podman with exactly the documented options, and Strata, the
 * container's root and so already in a user namespace, builds examples/hello and runs it with a
 * private network. Its image is the one root builds of the same file on the same base under
 * SOURCE_DATE_EPOCH. Without CAP_SYS_ADMIN, or under a seccomp profile that refuses mount or unshare
 * (what AppArmor's container profiles do to mount on hosts that have AppArmor), the build ends in
 * one line (ENV_SANDBOX) that names the option. The store volume is for speed: on the container's
 * own overlay root (`--rootfs DIR:O`) the build falls back to the copying snapshotter, same image.
 *
 * The container's root filesystem is made here (no registry to pull an image from): a skeleton
 * whose /usr is the host's, read-only, with this checkout mounted read-only at its own path (the
 * Node of its node_modules runs Strata), the base image's archive and a store volume.
 */
import { spawnSync } from "node:child_process";
import { chownSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRootless, ROOTLESS_USER, userDir, userIds } from "../helpers/rootless.ts";
import { repoRoot, startProcess, storeWithBusybox, strataAsync } from "../helpers/strata.ts";

/** The options docs/rootless.md gives: mounts and namespaces, then pasta's tun device for private networks. */
const DOCUMENTED = ["--cap-add", "SYS_ADMIN", "--device", "/dev/net/tun", "--cap-add", "NET_ADMIN"];
const SDE = "1700000000";
/** What `strata run --rm hello` prints (examples/hello/README.md). */
const HELLO = [
  "WORKDIR  -> /app",
  "USER     -> nobody (65534)",
  "ENV      -> GREETING=hello APP_HOME=/app",
  "COPY     -> Hello from a file COPY'd out of the build context.",
  "RUN      -> built by root in /app",
  "RUN      -> hello from a RUN step",
  "CMD      -> /usr/local/bin/show",
];
const LOAD_AND_BUILD = "strata load -q -i /pp/busybox.tar >/dev/null && strata build -q -t hello examples/hello";
const hasPodman = spawnSync("sh", ["-c", "command -v podman"]).status === 0;

describeRootless("rootless: Strata inside a rootless podman container", () => {
  let root: { root: string; cleanup: () => void };
  let dir: string;
  const names: string[] = [];

  beforeAll(async () => {
    expect(hasPodman, "podman is installed (scripts/test.sh)").toBe(true);
    root = storeWithBusybox("rootless-podman");
    dir = userDir("rootless-podman");
    const ids = userIds(ROOTLESS_USER) as { uid: number; gid: number };
    const rootfs = join(dir, "rootfs");
    for (const d of ["proc", "sys", "dev", "run", "tmp", "etc", "root", "usr", "store", "pp", "var/tmp", repoRoot.slice(1)]) mkdirSync(join(rootfs, d), { recursive: true });
    for (const l of ["bin", "sbin", "lib", "lib64"]) symlinkSync(`usr/${l}`, join(rootfs, l));
    writeFileSync(join(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
    writeFileSync(join(rootfs, "etc/group"), "root:x:0:\nnogroup:x:65534:\n");
    spawnSync("chown", ["-R", `${ids.uid}:${ids.gid}`, dir]);
    const saved = await strataAsync(root.root, ["save", "-o", join(dir, "busybox.tar"), "busybox:latest"]);
    expect(saved.code, saved.stderr).toBe(0);
    chownSync(join(dir, "busybox.tar"), ids.uid, ids.gid);
    // Profiles that refuse what a container's default AppArmor profile or a strict seccomp profile refuses.
    for (const [name, calls] of Object.entries({ "deny-mount": ["mount", "fsopen", "fsmount", "move_mount", "open_tree", "fsconfig", "mount_setattr"], "deny-unshare": ["unshare", "setns"] })) {
      writeFileSync(join(dir, `${name}.json`), JSON.stringify({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: calls, action: "SCMP_ACT_ERRNO", errnoRet: 1 }] }));
      chownSync(join(dir, `${name}.json`), ids.uid, ids.gid);
    }
  }, 120_000);

  afterAll(() => {
    // A container a timed-out case left behind (each is --rm, so this finds none otherwise).
    if (names.length > 0) spawnSync("runuser", ["-u", ROOTLESS_USER, "--", "env", "-i", `HOME=${userIds(ROOTLESS_USER)?.home}`, "PATH=/usr/bin:/bin:/usr/sbin:/sbin", "podman", "rm", "-f", "-i", ...names]);
    root?.cleanup();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * `podman run` as the user with `options`, running `script` (sh) with strata on the PATH as
   * `strata`; the store a volume of its own (`store`), or with `store` undefined a directory of
   * the container's overlay root (`--rootfs DIR:O`).
   */
  function podman(options: readonly string[], script: string, store: string | undefined, label: string) {
    const ids = userIds(ROOTLESS_USER) as { home: string };
    const name = `strata-spec-podman-${process.pid}-${label}`;
    names.push(name);
    const volume = store === undefined ? [] : ["-v", `${join(dir, store)}:/store`];
    if (store !== undefined) {
      mkdirSync(join(dir, store), { recursive: true });
      spawnSync("chown", [ROOTLESS_USER, join(dir, store)]);
    }
    const strata = `node -- ${join(repoRoot, "bin/strata.js")}`;
    const args = [
      "-u", ROOTLESS_USER, "--", "env", "-i", `HOME=${ids.home}`, "PATH=/usr/bin:/bin:/usr/sbin:/sbin",
      "podman", "run", "--rm", "--name", name, ...options,
      "-v", "/usr:/usr:ro", "-v", `${repoRoot}:${repoRoot}:ro`, "-v", `${dir}:/pp`, ...volume, "--tmpfs", "/tmp",
      "-e", "STRATA_ROOT=/store", "-e", `SOURCE_DATE_EPOCH=${SDE}`, "-e", `PATH=${join(repoRoot, "node_modules/node/bin")}:/usr/sbin:/usr/bin:/sbin:/bin`,
      "-w", repoRoot, "--rootfs", `${join(dir, "rootfs")}${store === undefined ? ":O" : ""}`, "sh", "-c", `strata() { ${strata} "$@"; }; ${script}`,
    ];
    return startProcess("runuser", args).done;
  }

  /** The one `strata:` line of a refused build: ENV_SANDBOX, exit 2, no stack. */
  function refusal(r: { code: number; stderr: string }): string {
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
    expect(lines, r.stderr).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    return lines[0] as string;
  }

  it("builds examples/hello with root's digest and runs it, given the documented options", { timeout: 300_000 }, async () => {
    const [inside, asRoot] = await Promise.all([
      podman(DOCUMENTED, `${LOAD_AND_BUILD} && strata run --rm hello && strata info --format '{{.Rootless}}'`, "store-ok", "ok"),
      strataAsync(root.root, ["build", "-q", "-t", "hello", "examples/hello"], { env: { SOURCE_DATE_EPOCH: SDE } }),
    ]);
    expect(inside.code, inside.stderr).toBe(0);
    expect(asRoot.code, asRoot.stderr).toBe(0);
    const [id, ...rest] = inside.stdout.trim().split("\n");
    expect(id).toBe(asRoot.stdout.trim());
    expect(rest).toEqual([...HELLO, "true"]);
  });

  it("without a store volume (the container's overlay root) builds the same image, with the copying snapshotter", { timeout: 300_000 }, async () => {
    const [inside, asRoot] = await Promise.all([
      podman(DOCUMENTED, `${LOAD_AND_BUILD} && strata info --format '{{.Driver}}'`, undefined, "overlay-root"),
      strataAsync(root.root, ["build", "-q", "-t", "hello", "examples/hello"], { env: { SOURCE_DATE_EPOCH: SDE } }),
    ]);
    expect(inside.code, inside.stderr).toBe(0);
    expect(inside.stdout.trim().split("\n")).toEqual([asRoot.stdout.trim(), "native"]);
  });

  it("without CAP_SYS_ADMIN, one line naming the option, exit 2", { timeout: 120_000 }, async () => {
    const line = refusal(await podman([], LOAD_AND_BUILD, "store-nocap", "nocap"));
    expect(line).toMatch(/^strata: error\[ENV_SANDBOX\]: .*lacks CAP_SYS_ADMIN.*--cap-add SYS_ADMIN/);
  });

  it("under a profile that refuses mount, one line naming seccomp=unconfined, exit 2", { timeout: 120_000 }, async () => {
    const r = await podman([...DOCUMENTED, "--security-opt", `seccomp=${join(dir, "deny-mount.json")}`], LOAD_AND_BUILD, "store-nomount", "nomount");
    expect(refusal(r)).toMatch(/^strata: error\[ENV_SANDBOX\]: mount .* was refused .*seccomp filter.*--security-opt seccomp=unconfined/);
  });

  it("under a profile that refuses unshare, one line naming seccomp=unconfined, exit 2", { timeout: 120_000 }, async () => {
    const r = await podman([...DOCUMENTED, "--security-opt", `seccomp=${join(dir, "deny-unshare.json")}`], LOAD_AND_BUILD, "store-nounshare", "nounshare");
    expect(refusal(r)).toMatch(/^strata: error\[ENV_SANDBOX\]: runc could not make the container's namespaces .*Operation not permitted.*--security-opt seccomp=unconfined/);
  });
});
