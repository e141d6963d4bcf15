/**
 * Containers as an ordinary user (issue 20): `run` and `exec` in rootless mode, across separate
 * strata commands (they share the user's rootless namespace, rootless/pause.ts), `run -p` through
 * pasta's user-mode stack on 127.0.0.1, and a resource limit refused with the reason (no cgroup is
 * delegated to the user here).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { asUser, describeRootless, userStoreWithBusybox } from "../helpers/rootless.ts";
import { freePort } from "../helpers/strata.ts";

describeRootless("rootless: run and exec as an ordinary user", () => {
  let stores: { userRoot: string; cleanup: () => void };
  const strata = (args: readonly string[]) => asUser(["--root", stores.userRoot, ...args]);
  const name = `rootless-web-${process.pid}`;

  beforeAll(async () => {
    stores = await userStoreWithBusybox("rootless-containers");
  }, 120_000);

  afterAll(async () => {
    if (stores === undefined) return;
    await strata(["rm", "-f", name]);
    stores.cleanup();
  });

  it("runs a command as the container's root, which the user namespace maps to the user", async () => {
    const r = await strata(["run", "--rm", "busybox:latest", "sh", "-c", "id -u; touch /probe && stat -c %u /probe"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(["0", "0"]);
  });

  it("publishes a port on 127.0.0.1, and a later command execs into the running container", { timeout: 60_000 }, async () => {
    const port = await freePort();
    const serve = "mkdir -p /www && echo served rootless > /www/index.html && exec httpd -f -p 8080 -h /www";
    const run = await strata(["run", "-d", "--name", name, "-p", `127.0.0.1:${port}:8080`, "busybox:latest", "sh", "-c", serve]);
    expect(run.code, run.stderr).toBe(0);
    let body = "";
    for (let i = 0; i < 100 && body === ""; i++) {
      body = await fetch(`http://127.0.0.1:${port}/`).then(
        (r) => r.text(),
        () => "",
      );
      if (body === "") await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toBe("served rootless\n");
    const exec = await strata(["exec", name, "cat", "/www/index.html"]);
    expect(exec.code, exec.stderr).toBe(0);
    expect(exec.stdout).toBe("served rootless\n");
    const ps = await strata(["ps", "--format", "{{.Names}} {{.Status}}"]);
    expect(ps.stdout).toContain(`${name} Up`);
    const rm = await strata(["rm", "-f", name]);
    expect(rm.code, rm.stderr).toBe(0);
  });

  it("refuses a memory limit with the reason when no cgroup is delegated to the user", async () => {
    const r = await strata(["run", "--rm", "--memory", "64m", "busybox:latest", "true"]);
    if (r.code === 0) return; // a host that delegates a cgroup v2 subtree applies it
    expect(r.code).toBe(125);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/CONTAINER_RESOURCES.*--memory needs a cgroup delegated to this user/);
  });
});
