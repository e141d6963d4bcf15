// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected texts are image.ts and shell scripts, ${…} is their syntax.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { computeKeys } from "../../compiler/cache/keys.ts";
import { parseDockerfile } from "../../compiler/dockerfile/parse.ts";
import type { BuildGraph } from "../../compiler/ir/graph.ts";
import { stageDependencies } from "../../compiler/ir/stages.ts";
import { type BaseImage, lowerDockerfile } from "../../compiler/lower/dockerfile.ts";
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
  for (const d of readdirSync(join(repoRoot, "specs/imagets/convert-fixtures"))) out.push(`specs/imagets/convert-fixtures/${d}/Dockerfile`);
  return out.filter((f) => existsSync(join(repoRoot, f))).sort();
}

/** BuildKit's parser cases (../shared/conformance/buildkit/), by path from the repository root. */
const BUILDKIT_CASES = "../shared/conformance/buildkit/testfiles";
function buildkitDockerfiles(): string[] {
  const dir = join(repoRoot, BUILDKIT_CASES);
  return existsSync(dir) ? readdirSync(dir).map((d) => `${BUILDKIT_CASES}/${d}/Dockerfile`).filter((f) => existsSync(join(repoRoot, f))).sort() : [];
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

/**
 * The image config each stage the target needs ends with, and the history
 * lines of its layer steps (config-only steps may differ in history: convert
 * joins adjacent ENVs into one `.env({...})`).
 */
function images(graph: BuildGraph): unknown[] {
  return stageDependencies(graph, graph.target).map((i) => {
    const steps = graph.stages[i]?.steps ?? [];
    return { config: steps[steps.length - 1]?.config, layers: steps.filter((st) => st.op !== null).map((st) => st.createdBy) };
  });
}

/** The key of every layer step of the stages the target needs, the target's last key first (config-only steps repeat their parent's). */
function keys(graph: BuildGraph): string[] {
  const order = stageDependencies(graph, graph.target);
  const k = computeKeys(graph, order, (s, j) => {
    const op = graph.stages[s]?.steps[j]?.op;
    return op?.kind === "copy" && op.from.type === "context" ? { context: JSON.stringify(op.sources) } : undefined;
  });
  const layers = (i: number): string[] => (k.steps[i] ?? []).filter((_, j) => graph.stages[i]?.steps[j]?.op !== null);
  return [k.stages[graph.target] as string, ...order.flatMap(layers).sort()];
}

const work = tempDir("imagets-convert");
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Any reference is an image (BuildKit's cases name many): its digest from the name. */
function anyImage(ref: string) {
  return resolveImage(ref) ?? { ref, digest: `sha256:${createHash("sha256").update(ref).digest("hex")}`, config: { Env: ["PATH=/usr/bin:/bin"] } };
}

type Resolve = (ref: string) => BaseImage | undefined;
const buildArgs = { FROMCLI: "cli-value" };

/** The Dockerfile's optimized graph, or undefined when it does not lower (it would not build). */
function lowerFile(text: string, resolve: Resolve): BuildGraph | undefined {
  const source = new SourceFile("Dockerfile", text);
  const parsed = parseDockerfile(source);
  if (parsed.diagnostics.some((d) => d.severity === "error")) return undefined;
  const lowered = lowerDockerfile({ source, ast: parsed.ast, instructions: parsed.instructions, resolveImage: resolve, platform: "linux/amd64", buildArgs });
  if (lowered.diagnostics.some((d) => d.severity === "error") || lowered.graph === undefined) return undefined;
  return optimize(lowered.graph, { mergeRuns: true });
}

/** Converts, type-checks, evaluates and lowers the image.ts, and compares it with the Dockerfile's graph. */
async function roundTrip(file: string, expected: BuildGraph, resolve: Resolve): Promise<void> {
  const converted = await convertDockerfile(file, readFileSync(join(repoRoot, file), "utf8"));
  expect(converted.diagnostics).toEqual([]);
  const dir = join(work, file.replace(/[/.]/g, "_"));
  mkdirSync(dir, { recursive: true });
  const imageTs = join(dir, "image.ts");
  writeFileSync(imageTs, converted.text as string);
  const compiled = await compileImageTs({ file: imageTs, displayName: "image.ts", buildArgs, resolveImage: resolve, platform: "linux/amd64" });
  expect(compiled.diagnostics, converted.text).toEqual([]);
  const actual = optimize(compiled.graph as BuildGraph, { mergeRuns: true });
  expect(keys(actual), converted.text).toEqual(keys(expected));
  expect(images(actual), converted.text).toEqual(images(expected));
  // Every step points at image.ts.
  for (const s of actual.stages) for (const st of s.steps) for (const src of st.sources) if (!src.file.includes("ONBUILD")) expect(src.file).toBe("image.ts");
}

describe("strata convert: round trip to the same cache keys", () => {
  for (const file of dockerfiles()) {
    it(file, async () => {
      const expected = lowerFile(readFileSync(join(repoRoot, file), "utf8"), resolveImage);
      expect(expected).toBeDefined();
      await roundTrip(file, expected as BuildGraph, resolveImage);
    });
  }
});

describe("strata convert: every case of BuildKit's parser suite that lowers converts to the same keys", () => {
  const cases = buildkitDockerfiles().map((file) => [file, lowerFile(readFileSync(join(repoRoot, file), "utf8"), anyImage)] as const);
  it("the suite is there and most of its cases lower", () => {
    expect(cases.filter(([, g]) => g !== undefined).length).toBeGreaterThan(20);
  });
  for (const [file, expected] of cases) {
    it.skipIf(expected === undefined)(file.slice(BUILDKIT_CASES.length + 1), async () => {
      await roundTrip(file, expected as BuildGraph, anyImage);
    });
  }
});

/** What a converted fixture must read like: snippets it contains, patterns it must not match. */
const READABLE: readonly { readonly file: string; readonly what: string; readonly contains: readonly string[]; readonly lacks: readonly RegExp[] }[] = [
  {
    file: "specs/imagets/convert-fixtures/metadata/Dockerfile",
    what: "the metadata-style Dockerfile: from(arg(...)), one .env for adjacent ENVs, a multi-line sh template, maintainer(), long objects a property a line",
    contains: [
      'const image = from(arg("BASE", "busybox:latest"))',
      '.env({ APP_HOME: "/app", APP_PORT: "8080", APP_MODE: "production" })\n  .env({ PATH: "$APP_HOME/bin:$PATH" })',
      ".run(sh`mkdir -p $APP_HOME/bin \\\n && echo '#!/bin/sh' > $APP_HOME/bin/app \\\n",
      '.maintainer("nobody@domain.test")',
      '  .label({\n    "org.opencontainers.image.title": "metadata",\n',
      '  .healthcheck("wget -q -O- http://localhost:8080/health || exit 1", {\n    interval: "30s",\n',
      '.expose(80, "443/tcp", "8000-8010/udp", "$APP_PORT")',
      // The header comment stays although the ARG it stood above moved into from().
      "// The metadata-style Dockerfile of issue 17 item 21",
    ],
    lacks: [/^arg\(/m],
  },
  {
    file: "specs/imagets/convert-fixtures/continued/Dockerfile",
    what: "continued RUNs keep their lines and tabs, comments inside come above; ENVs that read each other stay apart",
    contains: [
      '  // each file\n  .run(sh`set -e; \\\n\tfor f in a b c; do \\\n\t  echo "$f" > /tmp/$f; \\\n\tdone`)',
      ".run(sh`echo \\`date\\` \\${A} \\\n    && echo done`)",
      '.env({ A: "1" })\n  .env({ B: "$A", C: "2", D: "3" })\n  // a comment between ENVs keeps them apart\n  .env({ E: "4" })',
      // Read by two FROMs: declared once, at the top.
      'arg("TAG", "latest");\nexport const build = from("busybox:${TAG}")',
      '.healthcheck(["CMD", "CMD", "true"])',
      ".cmd(sh`echo one \\\n    two`)",
    ],
    lacks: [/\\t/],
  },
];

describe("strata convert: reads as a person would write it", () => {
  for (const r of READABLE) {
    it(r.what, async () => {
      const text = (await convertDockerfile(r.file, readFileSync(join(repoRoot, r.file), "utf8"))).text as string;
      for (const snippet of r.contains) expect(text).toContain(snippet);
      for (const pattern of r.lacks) expect(text).not.toMatch(pattern);
    });
  }
});
