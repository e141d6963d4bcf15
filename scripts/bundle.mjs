/**
 * esbuild's bundle of the strata command (runtime/cli/main.ts), shared by the
 * package build (scripts/build-dist.mjs, run by `prepack`) and a clone's
 * launcher (bin/strata.js rebuilds it when a source changes). Plain JavaScript:
 * it runs before anything is compiled.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
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
 * runtime/imagets/stdlib-sources.ts, replaced by the stdlib's sources as data: the image.ts
 * type check serves them in memory, so the bundle reads no stdlib file at run time.
 */
const stdlibSources = (repo) => ({
  name: "stdlib-sources",
  setup(b) {
    b.onLoad({ filter: /[\\/]runtime[\\/]imagets[\\/]stdlib-sources\.ts$/ }, () => {
      const dir = join(repo, "stdlib");
      const files = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith(".ts")).sort().map((f) => [f, readFileSync(join(dir, f), "utf8")]));
      for (const [f, text] of Object.entries(files)) {
        for (const m of text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']/gm)) if (!m[1].startsWith("./")) throw new Error(`stdlib/${f} imports ${m[1]}: the type check serves only stdlib/ itself`);
      }
      return { loader: "ts", contents: `const sources = ${JSON.stringify(files)};\nexport function stdlibSources() { return sources; }\n`, watchFiles: Object.keys(files).map((f) => join(dir, f)) };
    });
  },
});

/**
 * Bundles the CLI into `outdir` (ESM, split into chunks so each command loads
 * only its own code). Native addons and ts-morph (only image.ts needs it: the type
 * check, and the transpiler that runs it) stay runtime dependencies, resolved from
 * node_modules; the stdlib's sources are embedded (stdlibSources above). `buildId` names this build
 * of Strata (compiled graphs are cached per build). undici is bundled: from
 * node_modules it costs ~100 ms of module loading per registry command.
 *
 * The direct entries (runtime/cli/direct/NAME.ts: the transfer commands, whose start-up is a
 * large part of their time) are bundled whole, unsplit, into `outdir/direct/NAME.js`, which
 * bin/strata.js runs for the command word NAME: resolving and loading pull's ~50 chunks cost
 * more than its work on a 53 MB layer after them.
 */
export async function bundleCli(repo, outdir, options) {
  const cli = cliBuildOptions(repo, options);
  const direct = readdirSync(join(repo, "runtime/cli/direct")).filter((f) => f.endsWith(".ts")).map((f) => `runtime/cli/direct/${f}`);
  await Promise.all([build({ ...cli, outdir }), build({ ...cli, entryPoints: direct, splitting: false, outdir: join(outdir, "direct") })]);
}

/** The esbuild options of the CLI bundle, less its outdir (scripts/build-exe.mjs adapts them for the standalone executable). */
export function cliBuildOptions(repo, { buildId, minify = false }) {
  const { version } = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
  return {
    absWorkingDir: repo,
    define: { __STRATA_VERSION__: JSON.stringify(version), __STRATA_BUILD_ID__: JSON.stringify(buildId) },
    entryPoints: ["runtime/cli/main.ts"],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node22",
    minify,
    external: ["@napi-rs/xattr", "ts-morph"],
    plugins: [stdlibSources(repo), lazyBuiltins],
    banner: { js: "import { createRequire as __strataRequire } from 'node:module'; const require = __strataRequire(import.meta.url);" },
    logLevel: "error",
  };
}

/** A build is named by its version and the hash of every source it is made from. */
export function buildIdOf(repo) {
  const h = createHash("sha256");
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) h.update(p.slice(repo.length)).update("\0").update(readFileSync(p)).update("\0");
    }
  };
  for (const d of ["compiler", "runtime", "stdlib"]) walk(join(repo, d));
  h.update(readFileSync(join(repo, "package.json")));
  const { version } = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
  return `${version}-${h.digest("hex").slice(0, 12)}`;
}
