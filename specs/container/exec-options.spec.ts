import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata } from "../helpers/strata.ts";
import { eventually, mountsUnder, removeAllContainers } from "./helpers.ts";

/** `exec -u/-w/-e/-d/-i` in a real runc container. */
describe("exec options", () => {
  let root: string;
  let cleanup: () => void;
  const c = `exec-opts-${process.pid}`;
  const exec = (args: string[], input?: string) => strata(root, ["exec", ...args], input === undefined ? {} : { input });

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("exec-options"));
    expect(strata(root, ["run", "-d", "--name", c, "-e", "FROM_RUN=1", "busybox", "sleep", "300"]).code).toBe(0);
  });

  afterAll(() => {
    removeAllContainers(root);
    expect(mountsUnder(root)).toEqual([]);
    cleanup();
  });

  it("-u runs as another user, by name or uid:gid", () => {
    expect(exec(["-u", "nobody", c, "id", "-un"]).stdout).toBe("nobody\n");
    expect(exec(["-u", "1234:5678", c, "sh", "-c", "echo $(id -u):$(id -g)"]).stdout).toBe("1234:5678\n");
    const missing = exec(["-u", "nosuchuser", c, "true"]);
    expect(missing.code).toBe(125);
    expect(missing.stderr).toMatch(/nosuchuser/);
  });

  it("-w sets the working directory, -e adds and overrides variables over the container's", () => {
    expect(exec(["-w", "/etc", c, "pwd"]).stdout).toBe("/etc\n");
    expect(exec(["-e", "A=1", "-e", "FROM_RUN=2", c, "sh", "-c", "echo $A $FROM_RUN"]).stdout).toBe("1 2\n");
    expect(exec([c, "sh", "-c", "echo $FROM_RUN"]).stdout).toBe("1\n");
    expect(exec(["--env", "ONLY_HERE", c, "sh", "-c", "echo [$ONLY_HERE]"]).stdout).toBe("[]\n");
  });

  it("-d starts the command in the background and returns at once; -i passes stdin", async () => {
    // Without -d this would wait for /go for ever.
    const r = exec(["-d", c, "sh", "-c", "until [ -e /go ]; do sleep 0.1; done; echo later > /bg"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "", ""]);
    expect(exec([c, "test", "-e", "/bg"]).code).toBe(1);
    expect(exec([c, "touch", "/go"]).code).toBe(0);
    await eventually(() => exec([c, "cat", "/bg"]).stdout === "later\n");
    expect(exec(["-i", c, "cat"], "through stdin\n").stdout).toBe("through stdin\n");
  });
});
