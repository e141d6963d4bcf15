import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { computeKeys } from "../../compiler/cache/keys.ts";
import { parseDockerfile } from "../../compiler/dockerfile/parse.ts";
import type { BuildGraph } from "../../compiler/ir/graph.ts";
import { stageDependencies } from "../../compiler/ir/stages.ts";
import { lowerDockerfile } from "../../compiler/lower/dockerfile.ts";
import { optimize } from "../../compiler/passes/index.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import { compileImageTs } from "../../runtime/imagets/compile.ts";
import { convertDockerfile } from "../../runtime/imagets/convert.ts";
import { repoRoot, tempDir } from "../helpers/strata.ts";

/**
 * Round trip: every Dockerfile of the repository converts to an image.ts
 * that type-checks clean and lowers to the same cache keys (same base images,
 * same context inputs), merges included.
 */
function dockerfiles(): string[] {
  const out: string[] = [];
  for (const d of readdirSync(join(repoRoot, "examples"))) out.push(`examples/${d}/Dockerfile`);
  for (const d of readdirSync(join(repoRoot, "specs/differential/cases"))) out.push(`specs/differential/cases/${d}/Dockerfile`);
  for (const d of readdirSync(join(repoRoot, "specs/graph/golden"))) out.push(`specs/graph/golden/${d}/Dockerfile`);
  return out.filter((f) => existsSync(join(repoRoot, f))).sort();
}

function resolveImage(ref: string) {
  const images: Record<string, { digest: string; config: object }> = {
    "busybox:latest": { digest: `sha256:${"a".repeat(64)}`, config: { Env: ["PATH=/usr/bin:/bin"], Cmd: ["sh"] } },
    busybox: { digest: `sha256:${"a".repeat(64)}`, config: { Env: ["PATH=/usr/bin:/bin"], Cmd: ["sh"] } },
    "other:image": { digest: `sha256:${"b".repeat(64)}`, config: {} },
    "debian:bookworm": { digest: `sha256:${"c".repeat(64)}`, config: { Cmd: ["bash"] } },
    "onbuild-base:latest": { digest: `sha256:${"d".repeat(64)}`, config: { OnBuild: ["COPY payload.txt /trigger.txt", "RUN echo ran >> /trigger.txt", "ENV FROM_TRIGGER=1"] } },
  };
  const img = images[ref];
  return img === undefined ? undefined : { ref, ...img };
}

/** Every key of the stages the target needs, the target's last key first. */
function keys(graph: BuildGraph): string[] {
  const order = stageDependencies(graph, graph.target);
  const k = computeKeys(graph, order, (s, j) => {
    const op = graph.stages[s]?.steps[j]?.op;
    return op?.kind === "copy" && op.from.type === "context" ? { context: JSON.stringify(op.sources) } : undefined;
  });
  return [k.stages[graph.target] as string, ...order.flatMap((i) => k.steps[i] ?? []).sort()];
}

const work = tempDir("imagets-convert");
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("strata convert: round trip to the same cache keys", () => {
  for (const file of dockerfiles()) {
    it(file, async () => {
      const text = readFileSync(join(repoRoot, file), "utf8");
      const source = new SourceFile("Dockerfile", text);
      const parsed = parseDockerfile(source);
      const buildArgs = { FROMCLI: "cli-value" };
      const lowered = lowerDockerfile({ source, ast: parsed.ast, instructions: parsed.instructions, resolveImage, platform: "linux/amd64", buildArgs });
      expect(lowered.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const expected = optimize(lowered.graph as BuildGraph, { mergeRuns: true });

      const converted = await convertDockerfile(file, text);
      expect(converted.diagnostics).toEqual([]);
      const dir = join(work, file.replace(/\//g, "_"));
      mkdirSync(dir, { recursive: true });
      const imageTs = join(dir, "image.ts");
      writeFileSync(imageTs, converted.text as string);
      const compiled = await compileImageTs({ file: imageTs, displayName: "image.ts", buildArgs, resolveImage, platform: "linux/amd64" });
      expect(compiled.diagnostics, converted.text).toEqual([]);
      const actual = optimize(compiled.graph as BuildGraph, { mergeRuns: true });
      expect(keys(actual), converted.text).toEqual(keys(expected));
      // Every step points at image.ts.
      for (const s of actual.stages) for (const st of s.steps) for (const src of st.sources) if (!src.file.includes("ONBUILD")) expect(src.file).toBe("image.ts");
    });
  }
});
