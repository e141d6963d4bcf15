/**
 * The package build (`npm run build`, and `prepack` before `npm pack` or
 * publish): dist/cli/ is the bundled strata command, dist/stdlib/ the stdlib
 * users import (JavaScript and its .d.ts). Written to dist.tmp-*, checked, then
 * renamed over dist/. `node scripts/build-dist.mjs DIR` builds into DIR instead
 * (specs build an installed package's layout in a temp dir).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { buildIdOf, bundleCli } from "./bundle.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = process.argv[2] ? resolve(process.argv[2]) : join(repo, "dist");
const tmp = `${dist}.tmp-${process.pid}`;

/** .d.ts files name their siblings `./x.js`, as a consumer's `nodenext` resolution expects. */
function rewriteSpecifiers(dir) {
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(".d.ts")) continue;
    const p = join(dir, f);
    writeFileSync(p, readFileSync(p, "utf8").replace(/(from\s+["']\.{1,2}\/[^"']+)\.ts(["'])/g, "$1.js$2"));
  }
}

rmSync(tmp, { recursive: true, force: true });
await bundleCli(repo, join(tmp, "cli"), { buildId: buildIdOf(repo) });
await build({
  absWorkingDir: repo,
  entryPoints: ["stdlib/index.ts"],
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node22",
  outfile: join(tmp, "stdlib/index.js"),
  logLevel: "error",
});
execFileSync(
  join(repo, "node_modules/.bin/tsc"),
  ["--ignoreConfig", "stdlib/index.ts", "--declaration", "--emitDeclarationOnly", "--outDir", join(tmp, "stdlib"), "--allowImportingTsExtensions", "--target", "es2022", "--module", "nodenext", "--strict", "--skipLibCheck", "--types", ""],
  { cwd: repo, stdio: "inherit" },
);
rewriteSpecifiers(join(tmp, "stdlib"));
for (const must of ["cli/main.js", "cli/direct/pull.js", "cli/direct/push.js", "stdlib/index.js", "stdlib/index.d.ts"]) if (!existsSync(join(tmp, must))) throw new Error(`build-dist: ${must} was not made`);
rmSync(dist, { recursive: true, force: true });
renameSync(tmp, dist);
process.stdout.write(`dist/ built (${readdirSync(join(dist, "cli")).length} files in dist/cli)\n`);
