#!/usr/bin/env node
// The strata command. It runs the CLI from an esbuild bundle of the TypeScript
// sources (Node's type stripping of ~150 files costs more than the work of a
// quick command), kept in node_modules/.cache/strata/<fingerprint>/ and rebuilt
// on first use and whenever a source file changes. STRATA_NO_BUNDLE=1 runs the
// sources directly.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { enableCompileCache } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(repo, "runtime/cli/main.ts");

function fingerprint() {
  let newest = Math.max(statSync(join(repo, "package.json")).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs);
  let count = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) {
        count++;
        newest = Math.max(newest, statSync(p).mtimeMs);
      }
    }
  };
  for (const d of ["compiler", "runtime", "stdlib"]) walk(join(repo, d));
  return `${Math.floor(newest).toString(36)}-${count}`;
}

async function bundled() {
  const cache = join(repo, "node_modules/.cache/strata");
  const dir = join(cache, fingerprint());
  const main = join(dir, "main.js");
  try {
    statSync(main);
    return main;
  } catch {
    // build it below
  }
  const { build } = await import("esbuild");
  const tmp = `${dir}.tmp-${process.pid}`;
  mkdirSync(cache, { recursive: true });
  await build({
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node22",
    outdir: tmp,
    // Native addons and the heavy libraries loaded only by some commands stay in node_modules.
    // undici is bundled (a chunk of its own, loaded only by registry commands): from node_modules
    // it costs ~100 ms of module loading per run, which is most of a small pull.
    external: ["@napi-rs/xattr", "esbuild", "ts-morph"],
    banner: { js: "import { createRequire as __strataRequire } from 'node:module'; const require = __strataRequire(import.meta.url);" },
    logLevel: "error",
  });
  try {
    renameSync(tmp, dir);
    for (const old of readdirSync(cache)) if (join(cache, old) !== dir && !old.includes(".tmp-")) rmSync(join(cache, old), { recursive: true, force: true });
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another strata process built it first
  }
  return main;
}

// V8's code cache for the bundle: a warm start skips parsing and compiling it again.
enableCompileCache?.(join(repo, "node_modules/.cache/strata-v8"));

let main = entry;
if (!process.env.STRATA_NO_BUNDLE) {
  try {
    main = await bundled();
    // Names this build of Strata: caches of compiled graphs are valid only for the same one.
    process.env.STRATA_BUILD_ID = main.split("/").at(-2);
  } catch (e) {
    if (process.env.STRATA_DEBUG) process.stderr.write(`strata: running from sources (bundle failed: ${e.message})\n`);
  }
}
await import(main);
