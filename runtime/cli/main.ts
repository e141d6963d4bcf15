import { Command, CommanderError } from "commander";
import { MONITOR_WORD } from "../container/monitor/command.ts";
import { ExitCode } from "./exit-codes.ts";
import { strataVersion } from "./strata-version.ts";

/**
 * The strata command. Each subcommand's module is loaded only when that
 * subcommand runs (Node start-up is most of a quick command's time, and the
 * parser, zod and the registry client are heavy); `--help` and unknown
 * commands load them all.
 */
type Register = (program: Command) => void;
const COMMANDS: Record<string, () => Promise<Register>> = {
  tag: async () => (await import("./commands/tag.ts")).registerTag,
  rmi: async () => (await import("./commands/rmi.ts")).registerRmi,
  inspect: async () => (await import("./commands/inspect.ts")).registerInspect,
  system: async () => (await import("./commands/system.ts")).registerSystem,
  // Images travel
  save: async () => (await import("./commands/save.ts")).registerSave,
  load: async () => (await import("./commands/load.ts")).registerLoad,
  push: async () => (await import("./commands/push.ts")).registerPush,
  pull: async () => (await import("./commands/pull.ts")).registerPull,
  login: async () => (await import("./commands/login.ts")).registerLogin,
  logout: async () => (await import("./commands/login.ts")).registerLogout,
  // image.ts
  convert: async () => (await import("./commands/convert.ts")).registerConvert,
  init: async () => (await import("./commands/init.ts")).registerInit,
  // Containers
  ps: async () => (await import("./commands/ps.ts")).registerPs,
  exec: async () => (await import("./commands/exec.ts")).registerExec,
  logs: async () => (await import("./commands/logs.ts")).registerLogs,
  stop: async () => (await import("./commands/lifecycle.ts")).registerStop,
  kill: async () => (await import("./commands/lifecycle.ts")).registerKill,
  start: async () => (await import("./commands/lifecycle.ts")).registerStart,
  rm: async () => (await import("./commands/lifecycle.ts")).registerRm,
  restart: async () => (await import("./commands/restart.ts")).registerRestart,
  wait: async () => (await import("./commands/wait.ts")).registerWait,
  pause: async () => (await import("./commands/pause.ts")).registerPause,
  unpause: async () => (await import("./commands/pause.ts")).registerUnpause,
  diff: async () => (await import("./commands/diff.ts")).registerDiff,
  port: async () => (await import("./commands/port.ts")).registerPort,
  commit: async () => (await import("./commands/commit.ts")).registerCommit,
  cp: async () => (await import("./commands/cp.ts")).registerCp,
  top: async () => (await import("./commands/top.ts")).registerTop,
  rename: async () => (await import("./commands/rename.ts")).registerRename,
  export: async () => (await import("./commands/export.ts")).registerExport,
  create: async () => (await import("./commands/create.ts")).registerCreate,
  attach: async () => (await import("./commands/attach.ts")).registerAttach,
  stats: async () => (await import("./commands/stats.ts")).registerStats,
  prune: async () => (await import("./commands/container-prune.ts")).registerContainerPrune,
  build: async () => (await import("./commands/build.ts")).registerBuild,
  explain: async () => (await import("./commands/explain.ts")).registerExplain,
  check: async () => (await import("./commands/check.ts")).registerCheck,
  parse: async () => (await import("./commands/parse.ts")).registerParse,
  import: async () => (await import("./commands/import.ts")).registerImport,
  images: async () => (await import("./commands/images.ts")).registerImages,
  history: async () => (await import("./commands/history.ts")).registerHistory,
  layers: async () => (await import("./commands/layers.ts")).registerLayers,
  run: async () => (await import("./commands/run.ts")).registerRun,
  help: async () => (await import("./commands/help.ts")).registerHelp,
  version: async () => (await import("./commands/version.ts")).registerVersion,
  info: async () => (await import("./commands/version.ts")).registerInfo,
  completion: async () => (await import("./commands/completion.ts")).registerCompletion,
};
/** Commands that need every other one registered (they print the whole tree). */
const WHOLE_TREE = new Set(["help", "completion"]);
/** Command words whose subcommands live in several modules. */
const GROUPS: Record<string, string[]> = {
  image: ["images", "rmi", "tag", "inspect", "history", "import", "system", "save", "load", "push", "pull"],
};
/** `strata container SUB`'s module is SUB's own (defineTwice registers both forms), but for docker's aliases of ps. */
const CONTAINER_ALIASES: Record<string, string> = { ls: "ps", list: "ps" };

/** Set by the bundle (scripts/bundle.mjs): a name for this build. Absent when run from the sources. */
declare const __STRATA_BUILD_ID__: string | undefined;
// Compiled graphs are cached per build of Strata (runtime/store/compiled-graphs.ts).
if (typeof __STRATA_BUILD_ID__ === "string") process.env.STRATA_BUILD_ID = __STRATA_BUILD_ID__;

// A reader that stops early (`strata images | head`) closes the pipe: stop quietly, as other CLIs do, not with a stack trace.
for (const out of [process.stdout, process.stderr]) {
  out.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    process.exit(process.exitCode ?? 0);
  });
}

const program = new Command("strata")
  .description("Strata: a container image build compiler")
  .version(strataVersion(), "-v, --version")
  .option("--root <dir>", "store root (default $STRATA_ROOT, else /var/lib/strata as root, $XDG_DATA_HOME/strata rootless)")
  .option("--rootless", "run in a user namespace of the user's subordinate ids even as root (automatic when not root)")
  .enablePositionalOptions()
  .exitOverride()
  .showHelpAfterError()
  // commander's own errors (unknown option, missing argument) in the catalogue's words.
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "strata: error[USAGE]: ")) });

/** The first word that is not a global option or its value. */
function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--root") i++;
    else if (!a.startsWith("-")) return a;
  }
  return undefined;
}

/**
 * `docker image build|import …` are the top-level commands under the group's
 * word (docker's own docs use both forms): read as those, with the same
 * options and help. The group's other subcommands are registered in it.
 */
const IMAGE_FORMS = ["build", "import"];
function imageForm(argv: string[]): string[] {
  const at = argv.indexOf("image", 2);
  if (at < 0 || commandWord(argv.slice(2)) !== "image" || !IMAGE_FORMS.includes(argv[at + 1] ?? "")) return argv;
  return [...argv.slice(0, at), ...argv.slice(at + 1)];
}

const argv = imageForm(process.argv);
const word = commandWord(argv.slice(2));
const args = argv.slice(2);
const versionOnly = word === undefined && args.some((a) => a === "-v" || a === "--version");
/** The module of one command word, or every module (help, an unknown word). */
const modulesOf = (w: string | undefined): string[] => (w !== undefined && w in COMMANDS && !WHOLE_TREE.has(w) ? [w] : Object.keys(COMMANDS));
function containerSub(): string[] {
  const sub = commandWord(args.slice(args.indexOf("container") + 1));
  return modulesOf(sub === undefined ? undefined : (CONTAINER_ALIASES[sub] ?? sub));
}
const wanted = versionOnly ? [] : word === "container" ? containerSub() : word !== undefined && GROUPS[word] ? (GROUPS[word] as string[]) : modulesOf(word);

// No top-level await: the standalone executable (scripts/build-exe.mjs) runs this bundled as CommonJS.
async function main(): Promise<void> {
  // A container's monitor (container/monitor/command.ts): strata itself, started by `run`/`start`, with no command registered.
  if (process.argv[2] === MONITOR_WORD) {
    await (await import("../container/monitor/main.ts")).monitorMain(process.argv.slice(3));
    return;
  }
  try {
    // Not root: the command runs in the user's rootless namespace (rootless/enter.ts), re-executed there.
    if (process.getuid?.() !== 0 || args.includes("--rootless")) {
      const rootless = await import("../rootless/enter.ts");
      if (rootless.wantsNamespace(word, args)) await rootless.enterNamespace(word, args);
    }
    // Loading a command's modules is inside the try too: a failure there is reported like any other.
    for (const register of await Promise.all(wanted.map((n) => (COMMANDS[n] as () => Promise<Register>)()))) register(program);
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    } else {
      const { reportError } = await import("./report-error.ts");
      reportError(e);
    }
  }
}
void main();
