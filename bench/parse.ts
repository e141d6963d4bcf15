/**
 * Dockerfile parse throughput: Strata's parseDockerfile (generic AST + typed
 * instructions + diagnostics) against the npm package dockerfile-ast, on the
 * same corpus in the same run. Run: `node bench/parse.ts [iterations]`.
 *
 * Corpus: the BuildKit conformance testfiles (../shared beside the clone),
 * examples/** /Dockerfile*, and bench/corpus/*.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DockerfileParser } from "dockerfile-ast";
import { parseDockerfile } from "../compiler/dockerfile/parse.ts";
import { SourceFile } from "../compiler/source/source-file.ts";

const repo = fileURLToPath(new URL("..", import.meta.url));
const files: string[] = [];

function walk(dir: string, accept: (name: string) => boolean): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, accept);
    else if (accept(name)) files.push(p);
  }
}
walk(join(repo, "..", "shared", "conformance", "buildkit", "testfiles"), (n) => n === "Dockerfile");
walk(join(repo, "examples"), (n) => n.startsWith("Dockerfile"));
walk(join(repo, "bench", "corpus"), () => true);

const texts = files.map((f) => readFileSync(f, "utf8"));
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
const iterations = Number(process.argv[2] ?? 200);

function run(name: string, parse: (t: string) => unknown): number {
  for (let i = 0; i < 20; i++) for (const t of texts) parse(t); // warm-up
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (let i = 0; i < iterations / 5; i++) for (const t of texts) parse(t);
    best = Math.min(best, (performance.now() - t0) / (iterations / 5));
  }
  const mbs = bytes / 1e6 / (best / 1000);
  console.log(`${name.padEnd(14)} ${mbs.toFixed(2).padStart(8)} MB/s  (${best.toFixed(3)} ms per corpus pass)`);
  return mbs;
}

console.log(`corpus: ${files.length} files, ${(bytes / 1024).toFixed(1)} KiB; ${iterations} iterations, best of 5 rounds`);
const strata = run("strata", (t) => parseDockerfile(new SourceFile("Dockerfile", t)));
const other = run("dockerfile-ast", (t) => DockerfileParser.parse(t));
console.log(`ratio: strata is ${(strata / other).toFixed(2)}x dockerfile-ast`);
