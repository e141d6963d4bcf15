import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata } from "../helpers/strata.ts";
import { mountsUnder, removeAllContainers } from "./helpers.ts";

/** `commit -p` is docker's switch (default on; `--pause=false` or `--no-pause` off), with -c, -m and -a. */
describe("commit -p", () => {
  let root: string;
  let cleanup: () => void;
  const c = `commit-p-${process.pid}`;
  const freezer = (): string => {
    const id = strata(root, ["inspect", "-f", "{{.Id}}", c]).stdout.trim().slice(0, 12);
    return spawnSync("runc", ["--root", `${root}/runc`, "state", `strata-c-${id}`], { encoding: "utf8" }).stdout;
  };

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("commit-pause"));
    expect(strata(root, ["run", "-d", "--name", c, "busybox", "sh", "-c", "echo v1 > /version; exec sleep 300"]).code).toBe(0);
  });

  afterAll(() => {
    removeAllContainers(root);
    expect(mountsUnder(root)).toEqual([]);
    cleanup();
  });

  it("takes -p as a switch before the container's name, commits the running container and leaves it running", () => {
    const r = strata(root, ["commit", "-p", "-m", "paused", "-a", "Jane <j@example.com>", "-c", "ENV STAGE=one", c, `snap-${process.pid}:1`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(freezer()).toContain('"status": "running"');
    expect(strata(root, ["run", "--rm", `snap-${process.pid}:1`, "sh", "-c", "cat /version; echo $STAGE"]).stdout).toBe("v1\none\n");
    const meta = strata(root, ["inspect", "-f", "{{.Author}}|{{.Comment}}", `snap-${process.pid}:1`]).stdout;
    expect(meta).toBe("Jane <j@example.com>|paused\n");
  });

  it("--pause=false and --no-pause commit without pausing", () => {
    for (const flag of ["--pause=false", "--no-pause", "-p=false"]) {
      const r = strata(root, ["commit", flag, c]);
      expect(r.code, `${flag}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    }
    expect(freezer()).toContain('"status": "running"');
    // A switch takes no value: as with docker's, the word after it is the container.
    const r = strata(root, ["commit", "--pause", "maybe", c]);
    expect([r.code, r.stderr]).toEqual([1, "strata: error[NO_SUCH_CONTAINER]: No such container: maybe\n"]);
  });
});
