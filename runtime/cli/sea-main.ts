/**
 * The main script of the standalone executable (scripts/build-exe.mjs): kept small, because
 * Node compiles all of it at every start. `strata --version` answers from here (the version is
 * baked in). Anything else enables V8's compile cache in the user's cache (for what the
 * executable loads from a file, the embedded ts-morph chunk; never beside the executable) and
 * runs the strata command: its CommonJS bundle, embedded as the asset `cli.cjs`, compiled with
 * the V8 code cache made for it at build time (`cli.cache`, scripts/exe-code-cache.cjs; a cache
 * V8 refuses costs only time, and STRATA_DEBUG says so).
 */
import { enableCompileCache } from "node:module";
import { join } from "node:path";
import { getAsset, getRawAsset } from "node:sea";
import { Script } from "node:vm";
import { userCache } from "../fs/sea/user-cache.ts";

declare const __STRATA_VERSION__: string;

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  process.stdout.write(`${__STRATA_VERSION__}\n`);
} else {
  try {
    enableCompileCache(join(userCache(), "v8"));
  } catch {
    // no writable cache: run without one
  }
  const cache = getRawAsset("cli.cache"); // empty when built with --no-code-cache
  // The wrapper and the file name are exe-code-cache.cjs's, which made the cache.
  const script = new Script(`(function (require, module, exports) {${getAsset("cli.cjs", "utf8") as string}\n})`, {
    filename: "strata-cli.cjs",
    ...(cache.byteLength > 0 && { cachedData: new Uint8Array(cache) }),
  });
  if (process.env.STRATA_DEBUG && script.cachedDataRejected) process.stderr.write("strata: V8 refused the code cache of the embedded bundle\n");
  const module = { exports: {} };
  (script.runInThisContext() as (r: NodeJS.Require, m: object, e: object) => void)(require, module, module.exports);
}
