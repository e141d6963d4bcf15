/**
 * esbuild's bundle of the strata command (runtime/cli/main.ts), shared by the
 * package build (scripts/build-dist.mjs, run by `prepack`) and a clone's
 * launcher (bin/strata.js rebuilds it when a source changes). Plain JavaScript:
 * it runs before anything is compiled.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { build } from "esbuild";

const require = createRequire(import.meta.url);

/**
 * The heavy Node builtins (each loads a tree of internal modules: child_process
 * loads net and dgram, crypto all of its algorithms) as objects of getters that
 * require the builtin on first use. A chunk's imports load before any of its
 * code runs, so `strata images` paid for crypto and child_process (commander
 * imports it for executable subcommands) that it never calls. Each such builtin
 * is a tiny module (a chunk of its own), so only these few are made lazy; and
 * `process` is required, not imported (its namespace's getters load the report
 * and worker modules).
 */
const LAZY = new Set(["child_process", "crypto", "dgram", "dns", "http", "http2", "https", "inspector", "net", "readline", "tls", "v8", "worker_threads", "zlib"]);
export const lazyBuiltins = {
  name: "lazy-builtins",
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_0-9]+$/ }, ({ path, namespace }) => {
      const name = path.replace(/^node:/, "");
      if (!LAZY.has(name) && name !== "process") return undefined;
      return namespace === "lazy-builtin" ? { path: `node:${name}`, external: true } : { path: `node:${name}`, namespace: "lazy-builtin" };
    });
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, ({ path }) => {
      const mod = require(path);
      if (typeof mod === "function" || path === "node:process") return { contents: `module.exports = require(${JSON.stringify(path)});`, loader: "js" };
      const keys = JSON.stringify(Object.getOwnPropertyNames(mod));
      return {
        contents: `let m; const get = () => (m ??= require(${JSON.stringify(path)})); for (const k of ${keys}) Object.defineProperty(exports, k, { enumerable: true, get: () => get()[k] });`,
        loader: "js",
      };
    });
  },
};

/**
 * Bundles the CLI into `outdir` (ESM, split into chunks so each command loads
 * only its own code). Native addons and ts-morph (only image.ts needs it) stay
 * runtime dependencies, resolved from node_modules. `buildId` names this build
 * of Strata (compiled graphs are cached per build). undici is bundled: from
 * node_modules it costs ~100 ms of module loading per registry command.
 */
export async function bundleCli(repo, outdir, { buildId, minify = false }) {
  const { version } = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
  await build({
    absWorkingDir: repo,
    define: { __STRATA_VERSION__: JSON.stringify(version), __STRATA_BUILD_ID__: JSON.stringify(buildId) },
    entryPoints: ["runtime/cli/main.ts"],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node22",
    outdir,
    minify,
    external: ["@napi-rs/xattr", "ts-morph", "esbuild"],
    plugins: [lazyBuiltins],
    banner: { js: "import { createRequire as __strataRequire } from 'node:module'; const require = __strataRequire(import.meta.url);" },
    logLevel: "error",
  });
}
