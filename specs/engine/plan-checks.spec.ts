import { describe, expect, it } from "vitest";
import { parseDockerfile } from "../../compiler/dockerfile/parse.ts";
import type { BuildGraph } from "../../compiler/ir/graph.ts";
import { stageDependencies } from "../../compiler/ir/stages.ts";
import { lowerDockerfile } from "../../compiler/lower/dockerfile.ts";
import { mergeRuns } from "../../compiler/passes/merge-runs.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import { planWarnings } from "../../runtime/engine/plan/checks.ts";
import { StoreLayout } from "../../runtime/store/layout.ts";

function warnings(text: string): string[] {
  const source = new SourceFile("Dockerfile", text);
  const parsed = parseDockerfile(source);
  const resolveImage = (ref: string) => ({ ref, digest: `sha256:${"a".repeat(64)}`, config: {} });
  const lowered = lowerDockerfile({ source, ast: parsed.ast, instructions: parsed.instructions, resolveImage, platform: "linux/amd64" });
  const graph = mergeRuns(lowered.graph as BuildGraph);
  return planWarnings(graph, stageDependencies(graph, graph.target), new StoreLayout("/tmp/strata-plan-checks")).map((w) => w.message);
}

describe("plan checks", () => {
  it("names the RUN that deletes an added file, inside a merged group, and says ADD for an ADD", () => {
    const w = warnings("FROM busybox\nADD big.tar.gz /big.tar.gz\nRUN echo one\nRUN echo two\nRUN rm /big.tar.gz\n");
    expect(w).toEqual(["Dockerfile:5: /big.tar.gz is added by ADD at line 2 and deleted by this RUN; its bytes stay in the ADD layer"]);
  });

  it("says COPY for a COPY", () => {
    const w = warnings("FROM busybox\nCOPY app.bin /app.bin\nRUN rm -f /app.bin\n");
    expect(w).toEqual(["Dockerfile:3: /app.bin is added by COPY at line 2 and deleted by this RUN; its bytes stay in the COPY layer"]);
  });
});
