import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExplainPlanSchema } from "../../compiler/explain/schema.ts";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

/** The bench's tiny scenario: busybox base, 5 RUNs, ENV, WORKDIR, a COPY, CMD. */
const TINY = [
  "FROM busybox:latest",
  "ENV APP=tiny",
  "RUN echo one > /one",
  "RUN echo two > /two",
  "RUN echo three > /three",
  "RUN echo four > /four",
  "RUN echo five > /five",
  "WORKDIR /app",
  "COPY file.txt ./",
  "RUN cat file.txt > copied.txt",
  'CMD ["cat", "/app/file.txt"]',
  "",
].join("\n");

describe("strata explain", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  const explain = (...extra: string[]) => {
    const r = strata(root, ["explain", "--format", "json", ...extra, ctx]);
    expect(r.code, r.stderr).toBe(0);
    return ExplainPlanSchema.parse(JSON.parse(r.stdout));
  };
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("explain"));
    ctx = tempDir("explain-ctx");
    writeFileSync(join(ctx, "Dockerfile"), TINY);
    writeFileSync(join(ctx, "file.txt"), "v1\n");
  });
  afterAll(() => cleanup());

  it("before building: every layer a miss, the five RUNs one merged layer", () => {
    const plan = explain();
    expect(plan.stages).toEqual([{ index: 0, name: null, base: "busybox:latest", used: true, baseStage: null }]);
    // The merged RUNs, WORKDIR's mkdir, the COPY, the last RUN.
    expect(plan.layers.map((l) => l.cache)).toEqual(["miss", "miss", "miss", "miss"]);
    expect(plan.layers[0]?.merged).toBe(true);
    expect(plan.layers[0]?.instructions.map((i) => i.line)).toEqual([3, 4, 5, 6, 7]);
    expect(plan.layers[0]?.runs).toEqual({ cached: 0, run: 5, unknown: 0 });
    expect(plan.layers.slice(1).map((l) => l.runs)).toEqual([null, null, null]);
    expect(plan.layers[3]?.notMerged).toBe("not adjacent to a RUN (COPY before it)");
    for (const l of plan.layers) expect(l.cacheKey).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("lists every instruction and what it becomes", () => {
    const plan = explain();
    expect(plan.instructions.map((i) => [i.line, i.becomes, i.layer])).toEqual([
      [1, "base", null],
      [2, "config", null],
      [3, "merged", 1],
      [4, "merged", 1],
      [5, "merged", 1],
      [6, "merged", 1],
      [7, "merged", 1],
      [8, "layer", 2],
      [9, "layer", 3],
      [10, "layer", 4],
      [11, "config", null],
    ]);
    const text = strata(root, ["explain", ctx]).stdout;
    expect(text).toContain(`\ninstructions (in ${ctx}/):\n`);
    expect(text).toMatch(/\n {2}Dockerfile:1 +FROM busybox:latest +→ base image \(stage 0\)\n {2}Dockerfile:2 +ENV APP=tiny +→ config only\n/);
    expect(text).toMatch(/Dockerfile:7 +RUN echo five > \/five +→ layer #1 \(merged, 5 of 5\) {2}MISS\n/);
    expect(text).toMatch(/\n4 layers: 0 hit, 4 miss; 11 instructions: 1 base, 3 own layers, 5 in merged layers, 2 config only\n/);
  });

  it("explain runs nothing and writes no cache", () => {
    const again = explain();
    expect(again.layers.every((l) => l.cache === "miss")).toBe(true);
  });

  it("after building: every layer a hit, with the keys the build used", () => {
    const before = explain();
    const b = strata(root, ["build", "-t", "tiny", ctx]);
    expect(b.code, b.stderr).toBe(0);
    const after = explain();
    expect(after.layers.map((l) => l.cache)).toEqual(["hit", "hit", "hit", "hit"]);
    expect(after.layers.map((l) => l.cacheKey)).toEqual(before.layers.map((l) => l.cacheKey));
  });

  it("after editing the COPY'd file: the COPY and what follows miss, and the reason names the file", () => {
    writeFileSync(join(ctx, "file.txt"), "v2\n");
    const plan = explain();
    expect(plan.layers.map((l) => l.cache)).toEqual(["hit", "hit", "miss", "miss"]);
    expect(plan.layers[2]?.reason).toMatch(/file\.txt changed/);
    expect(plan.layers[3]?.reason).toMatch(/a layer below changed \(line 9: COPY file\.txt \.\/\)/);
    const text = strata(root, ["explain", ctx]).stdout;
    expect(text).toContain("why a miss: files in the build context changed: file.txt changed");
  });

  it("after editing the last of the merged RUNs: the others stay cached, and the reason names that RUN alone", () => {
    writeFileSync(join(ctx, "Dockerfile"), TINY.replace("RUN echo five > /five", "RUN echo 5 > /five"));
    const plan = explain();
    expect(plan.layers.map((l) => l.cache)).toEqual(["miss", "miss", "miss", "miss"]);
    expect(plan.layers[0]?.runs).toEqual({ cached: 4, run: 1, unknown: 0 });
    expect(plan.layers[0]?.instructions.map((i) => i.cache)).toEqual(["hit", "hit", "hit", "hit", "miss"]);
    expect(plan.layers[0]?.reason).toBe('line 7: the instruction changed: "RUN echo five > /five" → "RUN echo 5 > /five"');
    expect(plan.layers[1]?.reason).toBe("a layer below changed (line 7: RUN echo 5 > /five)");
    const text = strata(root, ["explain", ctx]).stdout;
    expect(text).toContain("merged: 5 RUNs in one layer; 4 of 5 RUNs cached, 1 runs\n");
    expect(text).toMatch(/Dockerfile:6 {2}RUN echo four > \/four +HIT\n +\S*Dockerfile:7 {2}RUN echo 5 > \/five +MISS\n/);
    expect(text).toContain('why a miss: line 7: the instruction changed: "RUN echo five > /five" → "RUN echo 5 > /five"\n');
  });

  it("names a changed build argument", () => {
    writeFileSync(join(ctx, "Dockerfile"), TINY.replace("ENV APP=tiny", "ARG LEVEL=1\nENV APP=tiny"));
    strata(root, ["build", "-t", "tiny", ctx]);
    const plan = explain("--build-arg", "LEVEL=2");
    expect(plan.layers[0]?.cache).toBe("miss");
    expect(plan.layers[0]?.reason).toMatch(/LEVEL: "1" → "2"/);
  });

  it("lists pruned stages and prints yaml and dot", () => {
    writeFileSync(join(ctx, "Dockerfile"), "FROM busybox:latest AS unused\nRUN exit 1\nFROM busybox:latest\nRUN echo ok\n");
    const plan = explain();
    expect(plan.stages.map((s) => s.used)).toEqual([false, true]);
    expect(strata(root, ["explain", "--format", "yaml", ctx]).stdout).toMatch(/^version: 1\ntarget: "?1"?\n/);
    expect(strata(root, ["explain", "--format", "dot", ctx]).stdout).toMatch(/^digraph strata \{[\s\S]*\(pruned\)[\s\S]*\}\n$/);
    const b = strata(root, ["build", ctx]);
    expect(b.code, b.stderr).toBe(0);
  });

  it("names a changed base image by its image ID", () => {
    writeFileSync(join(ctx, "Dockerfile"), "FROM busybox:latest\nRUN echo ok > /ok\n");
    expect(strata(root, ["build", "-t", "base-test", ctx]).code).toBe(0);
    // busybox:latest becomes another image: one more layer on it, built under the same name.
    writeFileSync(join(ctx, "Dockerfile.more"), "FROM busybox:latest\nRUN echo more > /more\n");
    const c = strata(root, ["build", "-t", "busybox:latest", "-f", join(ctx, "Dockerfile.more"), ctx]);
    expect(c.code, c.stderr).toBe(0);
    const plan = explain();
    expect(plan.layers[0]?.cache).toBe("miss");
    expect(plan.layers[0]?.reason).toMatch(/the base changed: busybox:latest \(image ID sha256:[0-9a-f]{64}\) → busybox:latest \(image ID sha256:[0-9a-f]{64}\)/);
  });
});
