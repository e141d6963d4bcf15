/**
 * esbuild's bundle of the strata command (runtime/cli/main.ts), shared by the
 * package build (scripts/build-dist.mjs, run by `prepack`) and a clone's
 * launcher (bin/strata.js rebuilds it when a source changes). Plain JavaScript:
 * it runs before anything is compiled.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

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
    banner: { js: "import { createRequire as __strataRequire } from 'node:module'; const require = __strataRequire(import.meta.url);" },
    logLevel: "error",
  });
}
