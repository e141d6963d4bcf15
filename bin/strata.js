#!/usr/bin/env -S node --
// The strata command. Installed, it runs the bundle in dist/ (scripts/build-dist.mjs,
// made by `npm pack`). In a clone it runs an esbuild bundle of the TypeScript sources,
// kept in node_modules/.cache/strata/<fingerprint>/ and rebuilt when a source changes
// (Node's type stripping of ~300 files costs more than a quick command's work);
// STRATA_NO_BUNDLE=1 runs the sources directly. Only syntax that every Node since 14
// parses comes before the version check. Start-up is most of a quick command's time:
// builtins come from process.getBuiltinModule (an ESM import of node:fs evaluates all
// of fs's lazy parts), `strata --version` is answered here, from package.json, and a
// command with a direct entry (pull, push: runtime/cli/direct/) runs its one-file bundle.
const NEEDED = 22;
if (Number(process.versions.node.split(".")[0]) < NEEDED) {
  process.stderr.write(`strata: error[ENV_NODE]: Node.js ${NEEDED} or newer is needed; this is Node.js ${process.version} (${process.execPath})\n`);
  process.exit(2);
}

/** A builtin without an ESM namespace (Node 22.3+), else imported. */
const builtin = async (name) => process.getBuiltinModule?.(name) ?? (await import(name));
const { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } = await builtin("node:fs");
const nodeModule = await builtin("node:module");
const { homedir } = await builtin("node:os");
const { dirname, join } = await builtin("node:path");
const { fileURLToPath } = await builtin("node:url");

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  process.stdout.write(`${JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version}\n`);
  process.exit(0);
}
const sources = join(root, "runtime/cli/main.ts");

/** Caches belong to the user ($XDG_CACHE_HOME), never to the install directory. */
function userCache() {
  const base = process.env.XDG_CACHE_HOME || (process.env.HOME ? join(process.env.HOME, ".cache") : join(homedir(), ".cache"));
  return join(base, "strata");
}

function fingerprint() {
  let newest = Math.max(statSync(join(root, "package.json")).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs, statSync(join(root, "scripts/bundle.mjs")).mtimeMs);
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
  for (const d of ["compiler", "runtime", "stdlib"]) walk(join(root, d));
  return `${Math.floor(newest).toString(36)}-${count}`;
}

/** Whether this user may write `dir` (or the nearest parent of it that exists, up to the clone). */
function writable(dir) {
  for (; !existsSync(dir) && dir !== root; dir = dirname(dir));
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A clone's bundle, rebuilt when a source changed. */
async function cloneBundle() {
  const cache = join(root, "node_modules/.cache/strata");
  const id = fingerprint();
  const dir = join(cache, id);
  const main = join(dir, "main.js");
  if (existsSync(main)) return main;
  // Another user's clone (a rootless user running root's): the bundle must sit in its node_modules to find the packages.
  if (!writable(cache)) throw new Error(`${cache} is not writable by this user`);
  const { bundleCli } = await import("../scripts/bundle.mjs");
  const tmp = `${dir}.tmp-${process.pid}`;
  mkdirSync(cache, { recursive: true });
  await bundleCli(root, tmp, { buildId: `dev-${id}` });
  try {
    renameSync(tmp, dir);
    for (const old of readdirSync(cache)) if (join(cache, old) !== dir && !old.includes(".tmp-")) rmSync(join(cache, old), { recursive: true, force: true });
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another strata process built it first
  }
  return main;
}

// V8's code cache for the bundle: a warm start skips parsing and compiling it again.
try {
  nodeModule.enableCompileCache?.(join(userCache(), "v8"));
} catch {
  // no writable cache: start without one
}

/** The first word that is not a global option or its value (runtime/cli/run-cli.ts's commandWord). */
function commandWord() {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--root") i++;
    else if (!args[i].startsWith("-")) return args[i];
  }
  return undefined;
}

/** A bundle's entry for this command line: the command's direct entry when it has one (scripts/bundle.mjs), else main.js. */
function entryOf(bundle) {
  const word = commandWord();
  const direct = word !== undefined && /^[a-z]+$/.test(word) ? join(bundle, "direct", `${word}.js`) : undefined;
  return direct !== undefined && existsSync(direct) ? direct : join(bundle, "main.js");
}

let main = entryOf(join(root, "dist/cli"));
if (existsSync(sources)) {
  main = sources;
  if (!process.env.STRATA_NO_BUNDLE) {
    try {
      main = entryOf(dirname(await cloneBundle()));
    } catch (e) {
      if (process.env.STRATA_DEBUG) process.stderr.write(`strata: running from sources (bundle failed: ${e.message})\n`);
    }
  }
}
await import(main);
