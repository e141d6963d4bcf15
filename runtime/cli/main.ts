import { MONITOR_WORD } from "../container/monitor/word.ts";
import { type Commands, quietOnClosedPipes, runCli } from "./run-cli.ts";

/**
 * The strata command. Each subcommand's module is loaded only when that
 * subcommand runs (Node start-up is most of a quick command's time, and the
 * parser, zod and the registry client are heavy); `--help` and unknown
 * commands load them all. The transfer commands also have entries of their own
 * (cli/direct/), which the launcher runs for them.
 */
const COMMANDS: Commands = {
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

// No top-level await: the standalone executable (scripts/build-exe.mjs) runs this bundled as CommonJS.
// A container's monitor (container/monitor/command.ts): strata itself, started by `run`/`start`, with no command registered.
if (process.argv[2] === MONITOR_WORD) {
  quietOnClosedPipes();
  void import("../container/monitor/main.ts").then((m) => m.monitorMain(process.argv.slice(3)));
} else void runCli(COMMANDS);
