/**
 * bench/imagets: the cold time of `strata explain examples/<x>/image.ts`
 * (ts-morph type check, evaluation by its transpiler, lowering) next to the same
 * example's Dockerfile, each run a fresh process as a user runs it (the
 * target: under 1.5 s for image.ts). The first run of each also fills V8's
 * compile cache and strata's bundle; it is reported apart.
 * Run: node bench/imagets.ts [runs]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(fileURLToPath(new URL("..", import.meta.url)));
const runs = Number(process.argv[2] ?? 7);
const work = mkdtempSync(join(tmpdir(), "strata-bench-imagets-"));
const root = join(work, "root");

function strata(args: string[]): { ms: number; status: number | null; stderr: string } {
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(repo, "bin/strata.js"), "--root", root, ...args], { encoding: "utf8" });
  return { ms: performance.now() - t, status: r.status, stderr: r.stderr };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

try {
  const tar = join(work, "busybox.tar");
  spawnSync("bash", [join(repo, "scripts/busybox-rootfs.sh"), tar]);
  if (strata(["import", tar, "busybox:latest"]).status !== 0) throw new Error("import failed");
  const rows: string[] = [];
  for (const example of ["hello", "entrypoint", "multi-target"]) {
    for (const file of ["image.ts", "Dockerfile"]) {
      const path = join(repo, "examples", example, file);
      if (!existsSync(path)) continue;
      const first = strata(["explain", path]);
      if (first.status !== 0) throw new Error(`explain ${path} failed: ${first.stderr}`);
      const times = Array.from({ length: runs }, () => strata(["explain", path]).ms);
      rows.push(`${`${example}/${file}`.padEnd(26)} cold ${median(times).toFixed(0).padStart(5)} ms (median of ${runs}; min ${Math.min(...times).toFixed(0)}, first ${first.ms.toFixed(0)})`);
    }
  }
  process.stdout.write(`strata explain, each a new process:\n${rows.map((r) => `  ${r}`).join("\n")}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
