/**
 * Strata inside a rootless podman container (issue 20, item 4; docs/rootless.md): the ordinary
 * user `strata-rootless` starts podman with exactly the documented options, and Strata, the
 * container's root and so already in a user namespace, builds examples/hello and runs it with a
 * private network. Its image is the one root builds of the same file on the same base under
 * SOURCE_DATE_EPOCH. Without CAP_SYS_ADMIN the build ends in one line that names the option.
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
const hasPodman = spawnSync("sh", ["-c", "command -v podman"]).status === 0;

describeRootless("rootless: Strata inside a rootless podman container", () => {
  let root: { root: string; cleanup: () => void };
  let dir: string;

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
  }, 120_000);

  afterAll(() => {
    root?.cleanup();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** `podman run` as the user with `options`, running `script` (sh) with strata on the PATH as `strata`. */
  function podman(options: readonly string[], script: string, store: string) {
    const ids = userIds(ROOTLESS_USER) as { home: string };
    mkdirSync(join(dir, store), { recursive: true });
    spawnSync("chown", [ROOTLESS_USER, join(dir, store)]);
    const strata = `node -- ${join(repoRoot, "bin/strata.js")}`;
    const args = [
      "-u", ROOTLESS_USER, "--", "env", "-i", `HOME=${ids.home}`, "PATH=/usr/bin:/bin:/usr/sbin:/sbin",
      "podman", "run", "--rm", "--name", `strata-spec-podman-${process.pid}-${store}`, ...options,
      "-v", "/usr:/usr:ro", "-v", `${repoRoot}:${repoRoot}:ro`, "-v", `${dir}:/pp`, "-v", `${join(dir, store)}:/store`, "--tmpfs", "/tmp",
      "-e", "STRATA_ROOT=/store", "-e", `SOURCE_DATE_EPOCH=${SDE}`, "-e", `PATH=${join(repoRoot, "node_modules/node/bin")}:/usr/sbin:/usr/bin:/sbin:/bin`,
      "-w", repoRoot, "--rootfs", join(dir, "rootfs"), "sh", "-c", `strata() { ${strata} "$@"; }; ${script}`,
    ];
    return startProcess("runuser", args).done;
  }

  it("builds examples/hello with root's digest and runs it, given the documented options", { timeout: 300_000 }, async () => {
    const [inside, asRoot] = await Promise.all([
      podman(DOCUMENTED, "strata load -q -i /pp/busybox.tar >/dev/null && strata build -q -t hello examples/hello && strata run --rm hello cat /app/data/run.txt && strata info --format '{{.Rootless}}'", "store-ok"),
      strataAsync(root.root, ["build", "-q", "-t", "hello", "examples/hello"], { env: { SOURCE_DATE_EPOCH: SDE } }),
    ]);
    expect(inside.code, inside.stderr).toBe(0);
    expect(asRoot.code, asRoot.stderr).toBe(0);
    const [id, ran, rootless] = inside.stdout.trim().split("\n");
    expect(id).toBe(asRoot.stdout.trim());
    expect(ran).toBe("hello from a RUN step");
    expect(rootless).toBe("true");
  });

  it("without CAP_SYS_ADMIN, one line naming the option, exit 2", { timeout: 120_000 }, async () => {
    const r = await podman([], "strata load -q -i /pp/busybox.tar >/dev/null && strata build -q examples/hello", "store-nocap");
    expect(r.code).toBe(2);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("strata:"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^strata: error\[ENV_OVERLAY\]: .*lacks CAP_SYS_ADMIN.*--cap-add SYS_ADMIN/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
