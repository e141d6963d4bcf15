import { Command, CommanderError } from "commander";
import { ExitCode } from "./exit-codes.ts";
import { strataVersion } from "./strata-version.ts";

/**
 * The strata command line: the program and its global options, which command modules a
 * command line needs, and running it. The modules come from the entry: main.ts has every
 * command's, a direct entry (cli/direct/) its one command's.
 */
export type Register = (program: Command) => void;
/** Command word → its module's register function, loaded when that command runs. */
export type Commands = Record<string, () => Promise<Register>>;

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

function program(): Command {
  return (
    new Command("strata")
      .description("Strata: a container image build compiler")
      .version(strataVersion(), "-v, --version")
      .option("--root <dir>", "store root (default $STRATA_ROOT, else /var/lib/strata as root, $XDG_DATA_HOME/strata rootless)")
      .option("--rootless", "run in a user namespace of the user's subordinate ids even as root (automatic when not root)")
      .enablePositionalOptions()
      .exitOverride()
      .showHelpAfterError()
      // commander's own errors (unknown option, missing argument) in the catalogue's words.
      .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "strata: error[USAGE]: ")) })
  );
}

/** The first word that is not a global option or its value (bin/strata.js reads it the same way to pick a direct entry). */
export function commandWord(argv: readonly string[]): string | undefined {
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

/** The command words whose modules `args` needs. */
function wantedModules(commands: Commands, word: string | undefined, args: readonly string[]): string[] {
  if (word === undefined && args.some((a) => a === "-v" || a === "--version")) return [];
  /** The module of one command word, or every module (help, an unknown word). */
  const modulesOf = (w: string | undefined): string[] => (w !== undefined && w in commands && !WHOLE_TREE.has(w) ? [w] : Object.keys(commands));
  if (word === "container") {
    const sub = commandWord(args.slice(args.indexOf("container") + 1));
    return modulesOf(sub === undefined ? undefined : (CONTAINER_ALIASES[sub] ?? sub));
  }
  return word !== undefined && GROUPS[word] ? (GROUPS[word] as string[]) : modulesOf(word);
}

/** A reader that stops early (`strata images | head`) closes the pipe: stop quietly, as other CLIs do, not with a stack trace. */
export function quietOnClosedPipes(): void {
  for (const out of [process.stdout, process.stderr]) {
    out.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") throw e;
      process.exit(process.exitCode ?? 0);
    });
  }
}

/** Parses this process's command line and runs its command, loading what it needs of `commands`. */
export async function runCli(commands: Commands): Promise<void> {
  // Compiled graphs are cached per build of Strata (runtime/store/compiled-graphs.ts).
  if (typeof __STRATA_BUILD_ID__ === "string") process.env.STRATA_BUILD_ID = __STRATA_BUILD_ID__;
  quietOnClosedPipes();
  const argv = imageForm(process.argv);
  const args = argv.slice(2);
  const word = commandWord(args);
  const cli = program();
  try {
    // Not root: the command runs in the user's rootless namespace (rootless/enter.ts), re-executed there.
    if (process.getuid?.() !== 0 || args.includes("--rootless")) {
      const rootless = await import("../rootless/enter.ts");
      if (rootless.wantsNamespace(word, args)) await rootless.enterNamespace(word, args);
    }
    // Loading a command's modules is inside the try too: a failure there is reported like any other.
    const wanted = wantedModules(commands, word, args);
    for (const register of await Promise.all(wanted.map((n) => (commands[n] as () => Promise<Register>)()))) register(cli);
    await cli.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    } else {
      const { reportError } = await import("./report-error.ts");
      reportError(e);
    }
  }
}
