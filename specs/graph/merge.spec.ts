import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { flattenedTree } from "../helpers/tree.ts";

function layerCount(root: string, ref: string): number {
  const r = spawnSync("skopeo", ["inspect", "--raw", `oci:${root}:${ref}`], { encoding: "utf8" });
  return JSON.parse(r.stdout).layers.length;
}

describe("merge-runs", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("merge"));
    ctx = tempDir("merge-ctx");
    writeFileSync(
      join(ctx, "Dockerfile"),
      [
        "FROM busybox:latest",
        "RUN mkdir -p /work && cd /work && echo one > one.txt && export LEAK=yes && umask 077",
        'RUN pwd > /pwd.txt && echo "LEAK=[$LEAK]" > /leak.txt && touch /umask-test && ln -s /pwd.txt /link',
        "RUN set -e; echo three > /three.txt; trap 'echo trapped > /trap.txt' EXIT",
        "RUN rm /three.txt && mkdir -p /d/e && echo x > /d/e/f && chmod 4755 /d/e/f",
        "RUN echo five > /five.txt && rm -rf /d/e && echo g > /d/g",
        "",
      ].join("\n"),
    );
  });
  afterAll(() => cleanup());

  it("builds five adjacent RUNs as one layer whose files equal those of five layers", () => {
    const merged = strata(root, ["build", "-t", "m:merged", ctx]);
    expect(merged.code, merged.stderr).toBe(0);
    const separate = strata(root, ["build", "--no-merge", "-t", "m:separate", ctx]);
    expect(separate.code, separate.stderr).toBe(0);
    expect(layerCount(root, "m:merged")).toBe(2);
    expect(layerCount(root, "m:separate")).toBe(6);
    const a = flattenedTree(root, "m:merged");
    const b = flattenedTree(root, "m:separate");
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [path, entry] of a) expect({ path, ...entry }).toEqual({ path, ...b.get(path) });
  });

  it("keeps each RUN's shell state to itself", () => {
    const r = strata(root, ["run", "--rm", "m:merged", "sh", "-c", "cat /pwd.txt /leak.txt /trap.txt; stat -c %a /umask-test"]);
    expect(r.stdout).toBe("/\nLEAK=[]\ntrapped\n644\n");
  });

  it("history keeps one entry per original instruction", () => {
    const h = strata(root, ["history", "--no-trunc", "m:merged"]);
    expect(h.stdout.match(/RUN \/bin\/sh -c/g)?.length).toBe(5);
  });

  it("fails at the first failing RUN, naming its line, and runs nothing after it", () => {
    const dir = tempDir("merge-fail");
    writeFileSync(join(dir, "Dockerfile"), "FROM busybox:latest\nRUN echo first\nRUN echo second && exit 7\nRUN echo third-should-not-run\n");
    const b = strata(root, ["build", dir]);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/Dockerfile:3:1: error\[RUN_FAILED\]: process "\/bin\/sh -c echo second && exit 7" did not complete successfully: exit code: 7/);
    expect(b.stderr).toContain("> 3 | RUN echo second && exit 7");
    expect(b.stderr).not.toContain("third-should-not-run\n#");
    expect(b.stderr).not.toMatch(/^#\d+ [\d.]+ third-should-not-run$/m);
  });
});
