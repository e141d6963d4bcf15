/**
 * V8's code cache of the standalone executable's CLI bundle (run by scripts/build-exe.mjs with
 * the Node binary the executable is made of): the bundle compiled as runtime/cli/sea-main.ts
 * compiles it (the same wrapper and file name), then run for a few commands that touch nothing
 * but a temp store (`images`), so that the functions the quick commands need (commander, the
 * store's reading, the output) are compiled in the cache too, not only the top level; V8 would
 * otherwise compile them again at every start. (Running `--help` too, which compiles every
 * command's options, made the cache 2.4 times larger and `images` 5 ms slower.)
 *
 *   node scripts/exe-code-cache.cjs BUNDLE CACHE STORE
 */
const { readFileSync, writeFileSync } = require("node:fs");
const { Script } = require("node:vm");

const [bundle, cache, store] = process.argv.slice(2);
const script = new Script(`(function (require, module, exports) {${readFileSync(bundle, "utf8")}\n})`, { filename: "strata-cli.cjs" });
const commands = [["--root", store, "images"], ["--root", store, "images", "--format", "json"]];
const argv0 = process.argv.slice(0, 2);

function next() {
  const args = commands.shift();
  if (args === undefined) process.exit(0);
  process.argv = [...argv0, ...args];
  const module = { exports: {} };
  script.runInThisContext()(require, module, module.exports);
}
process.on("beforeExit", next);
process.on("exit", (code) => {
  if (code === 0) writeFileSync(cache, script.createCachedData());
});
next();
