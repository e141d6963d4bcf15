import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata } from "../helpers/strata.ts";
import { mountsUnder, removeAllContainers } from "./helpers.ts";

/** `container prune` as docker's: its prompt, its filters, its report; running containers stay. */
describe("container prune", () => {
  let root: string;
  let cleanup: () => void;
  const n = (s: string): string => `cp-${s}-${process.pid}`;
  const names = (): string[] => strata(root, ["ps", "-a", "--format", "{{.Names}}"]).stdout.split("\n").filter(Boolean).sort();
  const idOf = (name: string): string => strata(root, ["inspect", "-f", "{{.Id}}", name]).stdout.trim();

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("container-prune"));
    expect(strata(root, ["run", "-d", "--name", n("up"), "busybox", "sleep", "300"]).code).toBe(0);
    expect(strata(root, ["run", "--name", n("done"), "busybox", "sh", "-c", "head -c 5000 /dev/zero > /blob"]).code).toBe(0);
    expect(strata(root, ["create", "--name", n("new"), "busybox", "true"]).code).toBe(0);
  });

  afterAll(() => {
    removeAllContainers(root);
    expect(mountsUnder(root)).toEqual([]);
    cleanup();
  });

  it("asks first; anything but y keeps everything", () => {
    const r = strata(root, ["container", "prune"], { input: "n\n" });
    expect([r.code, r.stdout]).toEqual([0, "WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] "]);
    expect(names()).toEqual([n("done"), n("new"), n("up")].sort());
  });

  it("until= keeps what is newer; an unknown filter is refused before anything", () => {
    expect(strata(root, ["container", "prune", "-f", "--filter", "until=1h"]).stdout).toBe("Total reclaimed space: 0B\n");
    const bad = strata(root, ["container", "prune", "-f", "--filter", "name=x"]);
    expect([bad.code, bad.stderr]).toEqual([1, "strata: error[FILTER_INVALID]: invalid filter 'name'\n"]);
    expect(names()).toHaveLength(3);
  });

  it("removes every stopped container, reports their IDs and the space their changes took, keeps the running one", () => {
    const ids = [idOf(n("done")), idOf(n("new"))];
    const r = strata(root, ["container", "prune"], { input: "y\n" });
    expect(r.code, r.stderr).toBe(0);
    const [prompt, ...report] = r.stdout.split("\n");
    expect(prompt).toBe("WARNING! This will remove all stopped containers.");
    expect(report[0]).toBe("Are you sure you want to continue? [y/N] Deleted Containers:");
    expect(report.slice(1, 3).sort()).toEqual(ids.sort());
    expect(report.slice(3)).toEqual(["", "Total reclaimed space: 5kB", ""]);
    expect(names()).toEqual([n("up")]);
  });
});
