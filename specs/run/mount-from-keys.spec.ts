import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata } from "../helpers/strata.ts";
import { context, removeTemps } from "./helpers.ts";

/**
 * A RUN whose mounts read `from` a stage or an image is keyed by what they read (the stage's key,
 * the image's ID), and a cache mount seeded from one is a cache of that content: a changed seed is
 * seen by the next build, the same seed again is a hit (issue 17, item 27).
 */
describe("RUN --mount from=: keyed by the content it reads", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  const dockerfile = [
    "FROM busybox:latest AS seed",
    "ARG SEED=one",
    "RUN mkdir -p /out && echo $SEED > /out/v",
    "FROM busybox:latest",
    "RUN --mount=type=cache,from=seed,source=/out,target=/c cat /c/v > /cached",
    "RUN --mount=type=bind,from=seed,source=/out,target=/b cat /b/v > /bound",
    "RUN --mount=type=cache,from=mountseed:latest,source=/out,target=/i cat /i/v > /imaged",
    "",
  ].join("\n");

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("run-mount-from"));
    ctx = context("run-mount-from", { Dockerfile: dockerfile, "Dockerfile.img": "FROM busybox:latest\nARG SEED\nRUN mkdir -p /out && echo image-$SEED > /out/v\n" });
  });
  afterAll(() => {
    cleanup();
    removeTemps();
  });

  /** Builds the image the third mount reads, then the Dockerfile, both with SEED; returns what the three RUNs read and the build's output. */
  const buildWith = (seed: string) => {
    const img = strata(root, ["build", "--build-arg", `SEED=${seed}`, "-t", "mountseed:latest", "-f", `${ctx}/Dockerfile.img`, ctx]);
    if (img.code !== 0) throw new Error(img.stderr);
    const b = strata(root, ["build", "--progress=plain", "--build-arg", `SEED=${seed}`, "-t", "mount-from:latest", ctx]);
    if (b.code !== 0) throw new Error(b.stderr);
    const r = strata(root, ["run", "--rm", "mount-from:latest", "cat", "/cached", "/bound", "/imaged"]);
    if (r.code !== 0) throw new Error(r.stderr);
    return { read: r.stdout.trim().split("\n"), log: b.stdout + b.stderr };
  };

  /** Whether the plain progress says the RUN mounting `target` came from the cache. */
  const cached = (log: string, target: string): boolean => {
    const id = new RegExp(`^(#\\d+) \\[[^\\]]*\\] RUN [^\\n]*target=${target} `, "m").exec(log)?.[1];
    if (id === undefined) throw new Error(`no RUN with target=${target} in:\n${log}`);
    return log.split("\n").includes(`${id} CACHED`);
  };

  it("a changed stage or image behind a cache or bind mount is a miss, and the cache mount is seeded from the new content", () => {
    expect(buildWith("one").read).toEqual(["one", "one", "image-one"]);
    const two = buildWith("two");
    expect(two.read).toEqual(["two", "two", "image-two"]);
    for (const target of ["/c", "/b", "/i"]) expect(cached(two.log, target), target).toBe(false);
  });

  it("explain says why: the stage a RUN mounts from changed", () => {
    buildWith("one");
    const r = strata(root, ["explain", "--build-arg", "SEED=three", ctx]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("why a miss: line 5: its source changed (a stage or image it copies or mounts from)");
  });

  it("the same seed again is a hit for every RUN", () => {
    const again = buildWith("one");
    expect(again.read).toEqual(["one", "one", "image-one"]);
    for (const target of ["/c", "/b", "/i"]) expect(cached(again.log, target), target).toBe(true);
  });
});
