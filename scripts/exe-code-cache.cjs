/**
 * V8's code cache of the standalone executable's CLI bundle (run by scripts/build-exe.mjs with
 * the Node binary the executable is made of): the bundle compiled as runtime/cli/sea-main.ts
 * compiles it (the same wrapper and file name), then run for a few commands that touch nothing
 * but a temp store (`images`, `--help`), so that the functions every command needs
 * (commander, every command's options, the store's reading, the output) are compiled in the
 * cache too, not only the top level; V8 would otherwise compile them again at every start.
 * A warm-up command that fails only leaves less compiled: it is reported, not fatal.
 *
 *   node scripts/exe-code-cache.cjs BUNDLE CACHE STORE
 */
const { readFileSync, writeFileSync } = require("node:fs");
const { Script } = require("node:vm");

const [bundle, cache, store] = process.argv.slice(2);
const script = new Script(`(function (require, module, exports) {${readFileSync(bundle, "utf8")}\n})`, { filename: "strata-cli.cjs" });
const commands = [["--root", store, "images"], ["--root", store, "images", "--format", "json"], ["--help"]];
const argv0 = process.argv.slice(0, 2);

function next() {
  const args = commands.shift();
  if (args === undefined) {
    writeFileSync(cache, script.createCachedData());
    process.exit(0);
  }
  process.argv = [...argv0, ...args];
  const module = { exports: {} };
  script.runInThisContext()(require, module, module.exports);
}
process.on("beforeExit", next);
process.on("uncaughtException", (e) => {
  process.stderr.write(`exe-code-cache: warm-up ${process.argv.slice(2).join(" ")} failed: ${e.message}\n`);
  next();
});
next();
