import { describe, expect, it } from "vitest";
import { computeKeys } from "../../compiler/cache/keys.ts";
import { parseDockerfile } from "../../compiler/dockerfile/parse.ts";
import { formatDot, formatText } from "../../compiler/explain/format.ts";
import { type LayerParts, layerParts } from "../../compiler/explain/parts.ts";
import { explainPlan } from "../../compiler/explain/plan.ts";
import { type ExplainPlan, ExplainPlanSchema } from "../../compiler/explain/schema.ts";
import type { BuildGraph } from "../../compiler/ir/graph.ts";
import { stageDependencies } from "../../compiler/ir/stages.ts";
import { lowerDockerfile } from "../../compiler/lower/dockerfile.ts";
import { mergeRuns } from "../../compiler/passes/merge-runs.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";

/**
 * explainPlan without a store: Dockerfiles lowered, merged and keyed as a
 * build does, with the cache and the last build record faked (a set of keys
 * that hit, the parts of an earlier version of the Dockerfile).
 */

function resolveImage(ref: string) {
  if (ref !== "busybox:latest") return undefined;
  return { ref, digest: `sha256:${"a".repeat(64)}`, config: { Env: ["PATH=/usr/bin:/bin"], Cmd: ["sh"] } };
}

interface Compiled {
  readonly graph: BuildGraph;
  readonly order: number[];
  readonly parts: LayerParts[];
}

function compile(lines: readonly string[], merge = true): Compiled {
  const source = new SourceFile("Dockerfile", `${lines.join("\n")}\n`);
  const parsed = parseDockerfile(source);
  const lowered = lowerDockerfile({ source, ast: parsed.ast, instructions: parsed.instructions, resolveImage, platform: "linux/amd64" });
  expect(lowered.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const graph = mergeRuns(lowered.graph as BuildGraph, { enabled: merge });
  const order = stageDependencies(graph, graph.target);
  const keys = computeKeys(graph, order, () => undefined);
  return { graph, order, parts: layerParts(graph, keys, order, () => undefined) };
}

/** The plan of `now`, with the steps of `built` (the last build) in the cache and in the build record. */
function plan(now: Compiled, built?: Compiled, options: { unknown?: (key: string) => boolean } = {}): ExplainPlan {
  const cached = new Set((built?.parts ?? []).map((p) => p.key));
  const out = explainPlan({ graph: now.graph, used: new Set(now.order), parts: now.parts, hit: (k) => cached.has(k), previous: built?.parts, ...options });
  return ExplainPlanSchema.parse(out);
}

const THREE = ["FROM busybox:latest", "ENV A=1", "RUN echo one", "RUN echo two", "RUN echo three", 'CMD ["true"]'];

describe("explain: instructions", () => {
  const df = [
    "FROM busybox:latest",
    "ARG LEVEL=1",
    "ENV APP=demo",
    "LABEL org.example.team=build",
    "WORKDIR /",
    "RUN echo one > /one",
    "RUN echo two > /two",
    "USER nobody",
    "EXPOSE 8080",
    "COPY app.txt /app.txt",
    'ENTRYPOINT ["/bin/sh"]',
    'CMD ["-c", "cat /app.txt"]',
    'CMD ["-c", "cat /app.txt"]',
  ];

  it("lists every instruction, FROM included, with what it becomes", () => {
    const p = plan(compile(df));
    expect(p.instructions.map((i) => [i.line, i.text.split(" ")[0], i.becomes, i.layer])).toEqual([
      [1, "FROM", "base", null],
      [2, "ARG", "none", null],
      [3, "ENV", "config", null],
      [4, "LABEL", "config", null],
      // The working directory is already /.
      [5, "WORKDIR", "none", null],
      [6, "RUN", "merged", 1],
      [7, "RUN", "merged", 1],
      [8, "USER", "config", null],
      [9, "EXPOSE", "config", null],
      [10, "COPY", "layer", 2],
      [11, "ENTRYPOINT", "config", null],
      [12, "CMD", "config", null],
      // The same CMD again: the config is unchanged.
      [13, "CMD", "none", null],
    ]);
    expect(p.instructions.every((i) => i.stage === 0 && i.file === "Dockerfile")).toBe(true);
    expect(p.layers.map((l) => l.instructions.map((i) => i.line))).toEqual([[6, 7], [10]]);
  });

  it("gives cache and reason only to the instructions that make layers", () => {
    const p = plan(compile(df));
    for (const i of p.instructions) {
      if (i.becomes === "layer" || i.becomes === "merged") {
        expect(i.cache).toBe("miss");
        expect(i.reason).toMatch(/not built before/);
      } else {
        expect([i.cache, i.reason]).toEqual([null, null]);
      }
    }
  });

  it("a base's ONBUILD triggers come after the FROM of the stage they run in; pruned stages are left out", () => {
    const p = plan(compile(["FROM busybox:latest AS base", "ONBUILD RUN echo triggered", "FROM busybox:latest AS unused", "RUN exit 1", "FROM base", "RUN echo child"]));
    expect(p.instructions.map((i) => [i.stage, i.file, i.line, i.becomes, i.layer])).toEqual([
      [0, "Dockerfile", 1, "base", null],
      [0, "Dockerfile", 2, "config", null],
      [2, "Dockerfile", 5, "base", null],
      [2, "base (ONBUILD)", 1, "merged", 1],
      [2, "Dockerfile", 6, "merged", 1],
    ]);
  });

  it("prints an instructions section between stages and layers", () => {
    const long = `RUN echo ${"x".repeat(80)}`;
    const text = formatText(plan(compile([...df, long])));
    expect(text.indexOf("\ninstructions:\n")).toBeGreaterThan(text.indexOf("\nstages:\n"));
    expect(text.indexOf("\nlayers:\n")).toBeGreaterThan(text.indexOf("\ninstructions:\n"));
    const section = text.slice(text.indexOf("\ninstructions:\n"), text.indexOf("\nlayers:\n")).split("\n");
    const line = (n: number): string => section.find((l) => l.startsWith(`  Dockerfile:${n} `)) ?? "";
    expect(line(1)).toMatch(/FROM busybox:latest +→ base image/);
    expect(line(2)).toMatch(/ARG LEVEL=1 +→ nothing \(build-time only\)$/);
    expect(line(3)).toMatch(/ENV APP=demo +→ config only$/);
    expect(line(5)).toMatch(/WORKDIR \/ +→ nothing/);
    expect(line(6)).toMatch(/RUN echo one > \/one +→ layer #1 \(merged, 1 of 2\) {2}MISS$/);
    expect(line(7)).toMatch(/→ layer #1 \(merged, 2 of 2\) {2}MISS$/);
    expect(line(10)).toMatch(/COPY app\.txt \/app\.txt +→ layer #2 {2}MISS$/);
    // Long instructions are cut to 60 characters.
    expect(line(14)).toContain(`${long.slice(0, 59)}… `);
    expect(text).toMatch(/\n3 layers: 0 hit, 3 miss; 14 instructions: 1 base, 2 own layers, 2 in merged layers, 6 config only, 3 nothing\n/);
  });
});

describe("explain: merged layers", () => {
  it("one entry per image layer: a merged group lists its RUNs, keyed by its last RUN", () => {
    const now = compile(THREE);
    const p = plan(now);
    expect(p.layers).toHaveLength(1);
    const [layer] = p.layers;
    expect(layer?.merged).toBe(true);
    expect(layer?.instructions.map((i) => i.line)).toEqual([3, 4, 5]);
    expect(layer?.cacheKey).toBe(now.parts[2]?.key);
    expect(layer?.runs).toEqual({ cached: 0, run: 3, unknown: 0 });
    expect(layer?.notMerged).toBeNull();
  });

  it("after a build: every RUN cached, the layer a hit", () => {
    const now = compile(THREE);
    const p = plan(now, now);
    expect(p.layers[0]?.cache).toBe("hit");
    expect(p.layers[0]?.runs).toEqual({ cached: 3, run: 0, unknown: 0 });
    expect(p.layers[0]?.reason).toBeNull();
    expect(formatText(p)).toContain("merged: 3 RUNs in one layer; 3 of 3 RUNs cached\n");
  });

  it("the last RUN changed: 2 of 3 RUNs cached, and the reason names only that RUN's line", () => {
    const built = compile(THREE);
    const p = plan(compile(THREE.map((l) => l.replace("echo three", "echo 3"))), built);
    const [layer] = p.layers;
    expect(layer?.cache).toBe("miss");
    expect(layer?.runs).toEqual({ cached: 2, run: 1, unknown: 0 });
    expect(layer?.instructions.map((i) => i.cache)).toEqual(["hit", "hit", "miss"]);
    expect(layer?.reason).toBe('line 5: the instruction changed: "RUN echo three" → "RUN echo 3"');
    expect(layer?.reason).not.toMatch(/echo one|echo two/);
    expect(p.instructions.filter((i) => i.becomes === "merged").map((i) => i.cache)).toEqual(["hit", "hit", "miss"]);
    const text = formatText(p);
    expect(text).toContain("merged: 3 RUNs in one layer; 2 of 3 RUNs cached, 1 runs\n");
    expect(text).toMatch(/Dockerfile:3 {2}RUN echo one +HIT\n +Dockerfile:4 {2}RUN echo two +HIT\n +Dockerfile:5 {2}RUN echo 3 +MISS\n/);
    expect(text).toContain('why a miss: line 5: the instruction changed: "RUN echo three" → "RUN echo 3"\n');
    expect(text).toMatch(/Dockerfile:4 +RUN echo two +→ layer #1 \(merged, 2 of 3\) {2}HIT\n/);
    expect(text).toMatch(/\n1 layers: 0 hit, 1 miss; /);
  });

  it("the middle RUN changed: 1 of 3 cached; the last misses because of it, and the layer names the middle one", () => {
    const built = compile(THREE);
    const p = plan(compile(THREE.map((l) => l.replace("echo two", "echo 2"))), built);
    const [layer] = p.layers;
    expect(layer?.runs).toEqual({ cached: 1, run: 2, unknown: 0 });
    expect(layer?.instructions.map((i) => [i.cache, i.reason])).toEqual([
      ["hit", null],
      ["miss", 'the instruction changed: "RUN echo two" → "RUN echo 2"'],
      ["miss", "an earlier RUN of this layer changed (line 4: RUN echo 2)"],
    ]);
    expect(layer?.reason).toBe('line 4: the instruction changed: "RUN echo two" → "RUN echo 2"');
    expect(formatText(p)).toContain("1 of 3 RUNs cached, 2 run\n");
  });

  it("a layer is unknown when any of its RUNs is", () => {
    const now = compile(THREE);
    const last = now.parts[2]?.key;
    const p = plan(now, now, { unknown: (k) => k === last });
    expect(p.layers[0]?.cache).toBe("unknown");
    expect(p.layers[0]?.runs).toEqual({ cached: 2, run: 0, unknown: 1 });
    expect(p.layers[0]?.reason).toMatch(/not looked up \(--offline\)/);
  });

  it("says why a RUN after an earlier RUN starts a layer of its own", () => {
    const p = plan(compile(["FROM busybox:latest", "RUN echo a", "ENV X=1", "RUN echo b", "# strata:layer", "RUN echo c", "RUN echo d"]));
    expect(p.layers.map((l) => [l.instructions.map((i) => i.line), l.notMerged])).toEqual([
      [[2], null],
      [[4], "not adjacent to a RUN (ENV before it)"],
      [[6, 7], "a `# strata:layer` comment asks for a boundary"],
    ]);
  });

  it("with --no-merge every RUN is a layer of its own, and says so", () => {
    const p = plan(compile(THREE, false));
    expect(p.layers.map((l) => [l.merged, l.runs, l.notMerged])).toEqual([
      [false, null, null],
      [false, null, "merging is off (--no-merge)"],
      [false, null, "merging is off (--no-merge)"],
    ]);
    expect(p.instructions.filter((i) => i.text.startsWith("RUN")).map((i) => [i.becomes, i.layer])).toEqual([
      ["layer", 1],
      ["layer", 2],
      ["layer", 3],
    ]);
  });

  it("a merged layer is one box in the dot picture, listing its lines", () => {
    const built = compile(THREE);
    const dot = formatDot(plan(compile(THREE.map((l) => l.replace("echo three", "echo 3"))), built));
    expect(dot).toContain('l0 [label="3: RUN echo one  HIT\\l4: RUN echo two  HIT\\l5: RUN echo 3  MISS\\lmerged: 2 of 3 RUNs cached, 1 runs\\l", fillcolor=lightpink, color=blue, penwidth=2, tooltip="why a miss: line 5: ');
    expect(dot.match(/ l\d+ \[label=/g)).toHaveLength(1);
  });
});
