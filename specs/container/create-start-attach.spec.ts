import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata } from "../helpers/strata.ts";
import { eventually, mountsUnder, removeAllContainers, strataAsync } from "./helpers.ts";

/** `create`, `start -a [-i]` and `attach` with real runc containers. */
describe("create, start -a, attach", () => {
  let root: string;
  let cleanup: () => void;
  const n = (s: string): string => `csa-${s}-${process.pid}`;

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("create-start"));
  });

  afterAll(() => {
    removeAllContainers(root);
    expect(mountsUnder(root)).toEqual([]);
    cleanup();
  });

  it("create prints the ID of a container that is created, not started; start -a prints its output and ends with its exit code", () => {
    const c = strata(root, ["create", "--name", n("job"), "-e", "WHO=world", "-w", "/tmp", "busybox", "sh", "-c", 'echo "hello $WHO from $(pwd)"; echo oops >&2; exit 3']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(strata(root, ["ps", "-a", "--format", "{{.ID}} {{.Status}}"]).stdout).toBe(`${c.stdout.slice(0, 12)} Created\n`);
    const r = strata(root, ["start", "-a", n("job")]);
    expect(r.code).toBe(3);
    // Its streams kept apart, as docker's attach keeps them.
    expect([r.stdout, r.stderr]).toEqual(["hello world from /tmp\n", "oops\n"]);
    // Again: the same container, its output of this run only.
    const again = strata(root, ["container", "start", "--attach", n("job")]);
    expect([again.code, again.stdout, again.stderr]).toEqual([3, "hello world from /tmp\n", "oops\n"]);
    expect(strata(root, ["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", n("job")]).stdout).toBe("exited 3\n");
    // create takes run's flags but not -d; a missing image is 125.
    expect(strata(root, ["create", "-d", "busybox", "true"]).code).toBe(125);
    expect(strata(root, ["container", "create", "nosuch:1"]).code).toBe(125);
    const two = strata(root, ["start", "-a", n("job"), n("job")]);
    expect([two.code, two.stderr]).toEqual([125, "strata: error[CONTAINER_USAGE]: you cannot start and attach multiple containers at once\n"]);
  });

  it("start -a -i passes stdin to a container created with -i", () => {
    expect(strata(root, ["create", "-i", "--name", n("cat"), "busybox", "sh", "-c", "read line; echo got $line"]).code).toBe(0);
    const r = strata(root, ["start", "-a", "-i", n("cat")], { input: "ping\n" });
    expect([r.code, r.stdout]).toEqual([0, "got ping\n"]);
  });

  it("attach shows a running container's output from then on and ends with its exit code", async () => {
    expect(strata(root, ["run", "-d", "--name", n("talk"), "busybox", "sh", "-c", "echo before; until [ -e /go ]; do sleep 0.1; done; echo after; exit 7"]).code).toBe(0);
    await eventually(() => strata(root, ["logs", n("talk")]).stdout.includes("before"));
    const attached = strataAsync(root, ["attach", n("talk")]);
    await new Promise((res) => setTimeout(res, 3000));
    expect(strata(root, ["exec", n("talk"), "touch", "/go"]).code).toBe(0);
    const r = await attached.done;
    expect([r.code, r.stdout]).toEqual([7, "after\n"]);
    const stopped = strata(root, ["attach", n("talk")]);
    expect([stopped.code, stopped.stderr]).toEqual([1, "strata: error[CONTAINER_STATE]: You cannot attach to a stopped container, start it first\n"]);
  });
});
