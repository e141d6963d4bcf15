/**
 * The standalone executable (`npm run build:exe` → build/strata): one file that runs on a
 * machine without Node, made with Node's single-executable-application support. Plain
 * JavaScript: it runs before anything is compiled.
 *
 * 1. The CLI bundle of scripts/bundle.mjs as one CommonJS file (a Node 24 SEA runs only that),
 *    embedded as the asset `cli.cjs`. What the npm install loads from node_modules comes from
 *    the executable instead: fs/xattr.ts is replaced by fs/sea/xattr.ts (the @napi-rs/xattr
 *    addon, embedded), `ts-morph` by a module that loads the embedded ts-morph chunk
 *    (fs/sea/embedded.ts writes both to the user's cache on first use).
 * 2. ts-morph bundled on its own into that chunk: only image.ts and convert load it.
 * 3. V8's code cache of cli.cjs (`cli.cache`, made by scripts/exe-code-cache.cjs).
 * 4. The main script, runtime/cli/sea-main.ts (small: Node compiles it at every start), and
 *    the assets into the preparation blob (`node --experimental-sea-config`), injected with
 *    postject into a copy of the Node 24 binary of node_modules/node (its symbol table
 *    stripped), in a temp folder beside build/strata, smoke-run (`--version`, `convert`),
 *    renamed to build/strata.
 *
 * `--no-code-cache` leaves out cli.cache (to measure what it buys);
 * `--keep` keeps the work folder (build/.exe-tmp-PID: the bundle, the chunk, the blob).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, openSync, readFileSync, readSync, closeSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { buildIdOf, cliBuildOptions } from "./bundle.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(repo, "build/strata");
const work = join(repo, `build/.exe-tmp-${process.pid}`);
const useCodeCache = !process.argv.includes("--no-code-cache");
const keep = process.argv.includes("--keep");
const require = createRequire(join(repo, "package.json"));
const { version } = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));

/** The Node 24 binary of the `node` dev dependency: the file itself, not a wrapper script or a link. */
function nodeBinary() {
  const path = realpathSync(join(repo, "node_modules/node/bin/node"));
  const head = Buffer.alloc(4);
  const fd = openSync(path, "r");
  readSync(fd, head, 0, 4, 0);
  closeSync(fd);
  if (!head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) throw new Error(`build-exe: ${path} is not an ELF executable (a wrapper?)`);
  const v = execFileSync(path, ["--version"], { encoding: "utf8" }).trim();
  if (!v.startsWith("v24.")) throw new Error(`build-exe: ${path} is Node ${v}, not 24`);
  return path;
}

/** The .node file @napi-rs/xattr loads on this platform (as Node's own loader picks it). */
function xattrAddon() {
  require("@napi-rs/xattr");
  const path = Object.keys(require.cache).find((p) => /[\\/]xattr\.[^\\/]+\.node$/.test(p));
  if (path === undefined) throw new Error("build-exe: @napi-rs/xattr loaded no .node file");
  return path;
}

/** Runs a build step, showing its output only when it fails (postject's ELF library warns of every note section). */
function quiet(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`build-exe: ${[cmd, ...args].join(" ")} failed (${r.status ?? r.error?.message}):\n${r.stdout}${r.stderr}`);
}

const sha256 = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");
const mib = (path) => `${(statSync(path).size / 1048576).toFixed(1)} MiB`;

/** What the npm install resolves from node_modules, resolved into the executable. */
function seaPlugin() {
  const embedded = join(repo, "runtime/fs/sea/embedded.ts");
  const seam = join(repo, "runtime/fs/xattr.ts");
  return {
    name: "strata-sea",
    setup(b) {
      b.onResolve({ filter: /[\\/]xattr\.ts$/ }, (a) => (resolve(a.resolveDir, a.path) === seam ? { path: join(repo, "runtime/fs/sea/xattr.ts") } : undefined));
      b.onResolve({ filter: /^@napi-rs\/xattr$/ }, (a) => (a.importer.endsWith("sea/xattr.ts") ? undefined : { errors: [{ text: `${a.importer}: import runtime/fs/xattr.ts, not @napi-rs/xattr` }] }));
      b.onResolve({ filter: /^(ts-morph|esbuild)$/ }, (a) => ({ path: a.path, namespace: "strata-sea" }));
      b.onLoad({ filter: /^ts-morph$/, namespace: "strata-sea" }, () => ({
        contents: `module.exports = require(${JSON.stringify(embedded)}).requireEmbedded("ts-morph.cjs");`,
        resolveDir: repo,
        loader: "js",
      }));
      b.onLoad({ filter: /^esbuild$/, namespace: "strata-sea" }, () => ({
        contents: 'throw new Error("the standalone executable carries no esbuild");',
        loader: "js",
        warnings: [{ text: "esbuild is imported at run time: the standalone executable carries none (it throws there)" }],
      }));
    },
  };
}

/**
 * Node's symbol table and debug sections out of the copy (~18 MiB; native addons link
 * against the dynamic symbols, which stay), when binutils' strip is there.
 */
function stripSymbols(exe) {
  const r = spawnSync("strip", ["--strip-all", exe], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (r.error?.code === "ENOENT") process.stderr.write("build-exe: no strip (binutils): the executable keeps Node's symbols\n");
  else if (r.status !== 0) throw new Error(`build-exe: strip ${exe}: ${r.stderr || r.error?.message}`);
}

const started = Date.now();
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
try {
  const node = nodeBinary();
  const file = (name) => join(work, name);
  const embedded = { "xattr.node": xattrAddon(), "ts-morph.cjs": file("ts-morph.cjs") };
  await build({
    absWorkingDir: repo,
    entryPoints: [require.resolve("ts-morph")],
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node24",
    outfile: embedded["ts-morph.cjs"],
    minifyWhitespace: true,
    logLevel: "error",
  });
  const hashes = Object.fromEntries(Object.entries(embedded).map(([k, p]) => [k, sha256(p)]));

  const cli = cliBuildOptions(repo, { buildId: buildIdOf(repo), minify: true });
  const cjs = { format: "cjs", splitting: false, target: "node24", external: [], banner: {}, logLevel: "warning" };
  await build({
    ...cli,
    ...cjs,
    define: { ...cli.define, __STRATA_SEA_ASSETS__: JSON.stringify(hashes) },
    outfile: file("cli.cjs"),
    plugins: [...(cli.plugins ?? []), seaPlugin()],
  });
  if (useCodeCache) execFileSync(node, [join(repo, "scripts/exe-code-cache.cjs"), file("cli.cjs"), file("cli.cache"), file("store")], { stdio: ["ignore", "ignore", "inherit"] });
  else writeFileSync(file("cli.cache"), "");
  await build({ ...cli, ...cjs, entryPoints: ["runtime/cli/sea-main.ts"], outfile: file("main.cjs") });

  const assets = { ...embedded, "cli.cjs": file("cli.cjs"), "cli.cache": file("cli.cache") };
  const config = { main: file("main.cjs"), output: file("sea.blob"), disableExperimentalSEAWarning: true, useCodeCache, assets };
  writeFileSync(file("sea-config.json"), JSON.stringify(config, null, 2));
  quiet(node, ["--experimental-sea-config", file("sea-config.json")]);

  const exe = file("strata");
  copyFileSync(node, exe);
  chmodSync(exe, 0o755);
  stripSymbols(exe);
  quiet(node, [require.resolve("postject/dist/cli.js"), exe, "NODE_SEA_BLOB", config.output, "--sentinel-fuse", "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2"]);

  const smoke = (args) => {
    const r = spawnSync(exe, args, { encoding: "utf8", env: { ...process.env, XDG_CACHE_HOME: file("cache"), STRATA_DEBUG: "1" } });
    if (r.status !== 0 || r.stderr !== "") throw new Error(`build-exe: ${exe} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  };
  const said = smoke(["--version"]).trim();
  if (said !== version) throw new Error(`build-exe: ${exe} --version said ${JSON.stringify(said)}, not ${version}`);
  // the CLI bundle (its code cache accepted: STRATA_DEBUG makes sea-main.ts say otherwise) and the ts-morph chunk
  writeFileSync(file("Dockerfile"), "FROM scratch\nCOPY a /b\n");
  const converted = smoke(["convert", file("Dockerfile")]);
  if (!converted.includes('.copy("a", "/b")')) throw new Error(`build-exe: ${exe} convert printed ${JSON.stringify(converted)}`);
  renameSync(exe, out);
  process.stdout.write(`build/strata built: ${mib(out)} (ts-morph chunk ${mib(embedded["ts-morph.cjs"])}, code cache ${useCodeCache ? "on" : "off"}), ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
