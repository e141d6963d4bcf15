import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDockerfile } from "../../compiler/dockerfile/parse.ts";
import type { BuildGraph } from "../../compiler/ir/graph.ts";
import { lowerDockerfile } from "../../compiler/lower/dockerfile.ts";
import { mergeRuns } from "../../compiler/passes/merge-runs.ts";
import { stageDependencies } from "../../compiler/ir/stages.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import { repoRoot } from "../helpers/strata.ts";

/**
 * Golden specs of lowering and the passes: each folder has a Dockerfile and
 * `expected.txt`, a readable summary of the graph after prune and merge-runs.
 * STRATA_UPDATE_GOLDEN=1 rewrites the expected files.
 */
const dir = join(repoRoot, "specs/graph/golden");

/** The base images the golden Dockerfiles use, as lowering sees them. */
function resolveImage(ref: string) {
  if (ref === "other:image") return { ref, digest: `sha256:${"b".repeat(64)}`, config: {} };
  if (ref !== "busybox:latest") return undefined;
  return { ref, digest: `sha256:${"a".repeat(64)}`, config: { Env: ["PATH=/usr/bin:/bin"], Cmd: ["sh"] } };
}

function summary(graph: BuildGraph): string {
  const used = new Set(stageDependencies(graph, graph.target));
  const out: string[] = [`target ${graph.target}`];
  for (const s of graph.stages) {
    const base = s.base.type === "image" ? s.base.ref : s.base.type === "stage" ? `stage ${s.base.stage}` : "scratch";
    out.push(`stage ${s.index}${s.name ? ` ${s.name}` : ""} FROM ${base}${used.has(s.index) ? "" : " (pruned)"}`);
    for (const step of s.steps) {
      const lines = step.sources.map((x) => `${x.file.includes("ONBUILD") ? "onbuild:" : ""}${x.line}`).join(",");
      const op = step.op;
      let what = "config";
      if (op?.kind === "run") what = `run${step.mergeWithPrevious ? " (shares the layer before)" : ""} cwd=${op.cwd} user=${op.user || "-"} net=${op.network} env=[${op.env.filter((e) => !e.startsWith("PATH=")).join(" ")}] argv=${JSON.stringify(op.command.args)}`;
      if (op?.kind === "workdir") what = `workdir ${op.path} user=${op.user || "-"}`;
      if (op?.kind === "copy") what = `copy from=${JSON.stringify(op.from)} ${JSON.stringify(op.sources)} -> ${op.dest}`;
      out.push(`  [${lines}] ${what}${step.boundary ? " (boundary)" : ""}`);
      out.push(`      ${step.createdBy.join(" | ")}`);
    }
    const last = s.steps[s.steps.length - 1]?.config ?? s.baseConfig;
    out.push(`  config ${JSON.stringify(last)}`);
  }
  return `${out.join("\n")}\n`;
}

describe("lowering and passes (golden)", () => {
  for (const name of readdirSync(dir).sort()) {
    it(name, () => {
      const file = join(dir, name, "Dockerfile");
      const source = new SourceFile("Dockerfile", readFileSync(file, "utf8"));
      const parsed = parseDockerfile(source);
      expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const lowered = lowerDockerfile({ source, ast: parsed.ast, instructions: parsed.instructions, resolveImage, platform: "linux/amd64" });
      expect(lowered.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(lowered.graph).toBeDefined();
      const actual = summary(mergeRuns(lowered.graph as BuildGraph));
      const expectedFile = join(dir, name, "expected.txt");
      if (process.env.STRATA_UPDATE_GOLDEN || !existsSync(expectedFile)) writeFileSync(expectedFile, actual);
      expect(actual).toBe(readFileSync(expectedFile, "utf8"));
    });
  }
});
