/**
 * bench/explain: how long `strata explain` takes on a 100-instruction
 * Dockerfile (issue 16's bar: under 150 ms), the whole command as a user
 * runs it: Node start-up, parse, lowering, passes, hashing the context,
 * cache look-ups. Run: node bench/explain.ts [runs]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(fileURLToPath(new URL("..", import.meta.url)));
const runs = Number(process.argv[2] ?? 15);
const work = mkdtempSync(join(tmpdir(), "strata-bench-explain-"));
const root = join(work, "root");
const ctx = join(work, "ctx");

function strata(args: string[]): { ms: number; status: number | null; stderr: string } {
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(repo, "bin/strata.js"), "--root", root, ...args], { encoding: "utf8" });
  return { ms: performance.now() - t, status: r.status, stderr: r.stderr };
}

try {
  const tar = join(work, "busybox.tar");
  spawnSync("bash", [join(repo, "scripts/busybox-rootfs.sh"), tar]);
  if (strata(["import", tar, "busybox:latest"]).status !== 0) throw new Error("import failed");
  spawnSync("mkdir", ["-p", ctx]);
  const kinds = [
    (i: number) => `RUN echo step${i} > /s${i}`,
    (i: number) => `ENV E${i}=${i}`,
    (i: number) => `LABEL l${i}=v`,
    (i: number) => `WORKDIR /w${i}`,
    (i: number) => `COPY f.txt /f${i}.txt`,
    () => "USER root",
    (i: number) => `EXPOSE ${8000 + i}`,
  ];
  const lines = ["FROM busybox:latest", "ARG V=1", ...Array.from({ length: 98 }, (_, i) => (kinds[i % kinds.length] as (i: number) => string)(i))];
  writeFileSync(join(ctx, "Dockerfile"), `${lines.join("\n")}\n`);
  writeFileSync(join(ctx, "f.txt"), "hello\n");
  strata(["explain", ctx]); // first run builds the CLI bundle
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = strata(["explain", ctx]);
    if (r.status !== 0) throw new Error(`explain failed: ${r.stderr}`);
    times.push(r.ms);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] as number;
  console.log(`strata explain, 100 instructions: median ${median.toFixed(0)} ms, min ${times[0]?.toFixed(0)} ms, max ${times[times.length - 1]?.toFixed(0)} ms over ${runs} runs`);
  console.log(median < 150 ? "under 150 ms: ok" : "OVER 150 ms");
} finally {
  rmSync(work, { recursive: true, force: true });
}
