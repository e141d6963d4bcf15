import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata } from "../helpers/strata.ts";
import { mountsUnder, removeAllContainers } from "./helpers.ts";

/** `rm -v`: a container's anonymous volumes go with it; named volumes, and other containers', stay. */
describe("rm -v", () => {
  let root: string;
  let cleanup: () => void;
  const n = (s: string): string => `rmv-${s}-${process.pid}`;
  const volumes = (): string[] => (existsSync(join(root, "volumes")) ? readdirSync(join(root, "volumes")).sort() : []);

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("rm-volumes"));
  });

  afterAll(() => {
    removeAllContainers(root);
    expect(mountsUnder(root)).toEqual([]);
    cleanup();
  });

  it("removes a container that has no volumes, as rm does", () => {
    expect(strata(root, ["create", "--name", n("plain"), "busybox", "true"]).code).toBe(0);
    const r = strata(root, ["rm", "-v", n("plain")]);
    expect([r.code, r.stdout]).toEqual([0, `${n("plain")}\n`]);
    expect(strata(root, ["ps", "-aq"]).stdout).toBe("");
  });

  // Volumes come with `run --mount type=volume` (the run flags' own part of issue 19): until it exists, nothing makes one.
  const mounts = strata("/nonexistent-strata-root", ["run", "--help"]).stdout.includes("--mount");
  it.skipIf(!mounts)("removes the anonymous volumes, keeps a named one and those rm without -v leaves", () => {
    const run = (name: string) => strata(root, ["run", "-d", "--name", name, "--mount", "type=volume,target=/anon", "--mount", `type=volume,source=named-${process.pid},target=/named`, "busybox", "sleep", "300"]);
    expect(run(n("a")).code).toBe(0);
    expect(run(n("b")).code).toBe(0);
    const anonymous = volumes().filter((v) => /^[0-9a-f]{64}$/.test(v));
    expect(anonymous).toHaveLength(2);
    expect(strata(root, ["rm", "-f", n("a")]).code).toBe(0);
    expect(volumes().filter((v) => /^[0-9a-f]{64}$/.test(v))).toHaveLength(2);
    expect(strata(root, ["rm", "-f", "-v", n("b")]).code).toBe(0);
    expect(volumes().filter((v) => /^[0-9a-f]{64}$/.test(v))).toHaveLength(1);
    expect(volumes()).toContain(`named-${process.pid}`);
  });
});
