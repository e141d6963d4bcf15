/**
 * The image.ts builders. An `Image` is immutable: every method returns a new
 * image one instruction longer, so a value can be extended in several ways
 * (stages branch naturally) and nothing runs until strata lowers the exports.
 *
 * Strings that name things (paths, users, env and label values, ports)
 * expand `$VAR` and `${VAR}` from the stage's env and args when the graph is
 * made, as Dockerfile words do; quotes and backslashes are literal, `\$` is a
 * literal dollar. Commands are never expanded by strata (the shell does it).
 */
import { BUILD_ARGS, type CallRecord, type CallSite, type CommandRecord, type Frame, GLOBAL_ARGS, type GlobalArgRecord, IMAGE_NODE, type ImageNode, type MountRecord } from "./record.ts";
import type {
  AddOptions,
  Command,
  CopyOptions,
  FromOptions,
  Heredoc,
  HealthcheckCommand,
  HealthcheckOptions,
  HeredocOptions,
  Port,
  RunOptions,
  ShellScript,
  Signal,
  Source,
} from "./types.ts";

interface V8Error {
  stackTraceLimit: number;
  prepareStackTrace?: ((e: unknown, frames: V8CallSite[]) => unknown) | undefined;
  captureStackTrace(target: object): void;
}
interface V8CallSite {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

/** The raw frames of the caller (mapped back to image.ts by the evaluator). */
function callSite(): CallSite {
  const E = Error as unknown as V8Error;
  const limit = E.stackTraceLimit;
  const prepare = E.prepareStackTrace;
  E.stackTraceLimit = 40;
  E.prepareStackTrace = (_e, frames) => frames.map((f) => ({ file: f.getFileName() ?? "", line: f.getLineNumber() ?? 0, column: f.getColumnNumber() ?? 0 }));
  const holder: { stack?: unknown } = {};
  try {
    E.captureStackTrace(holder);
    const stack = holder.stack;
    // A test runner may format stacks itself: then read the text.
    if (typeof stack === "string") return { frames: parseStack(stack) };
    return { frames: (stack as Frame[] | undefined) ?? [] };
  } finally {
    E.stackTraceLimit = limit;
    E.prepareStackTrace = prepare;
  }
}

/** `    at f (file:///x.mjs:3:5)` lines of a V8 stack as frames. */
export function parseStack(stack: string): Frame[] {
  const out: Frame[] = [];
  for (const m of stack.matchAll(/\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?$/gm)) out.push({ file: m[1] as string, line: Number(m[2]), column: Number(m[3]) });
  return out;
}

function command(c: Command): CommandRecord {
  if (typeof c === "string") return { form: "shell", script: c };
  if (isScript(c)) return { form: "shell", script: c.script };
  return { form: "exec", args: [...c] };
}

/** A healthcheck's command: docker's `["CMD", ...argv]` / `["CMD-SHELL", script]` / `["NONE"]` read as such; undefined for none. */
function healthcheckCommand(c: HealthcheckCommand): CommandRecord | undefined {
  if (c === "none") return undefined;
  if (!Array.isArray(c)) return command(c as Command);
  const [kind, ...rest] = c as readonly string[];
  if (kind === "NONE" && rest.length === 0) return undefined;
  if (kind === "CMD") return { form: "exec", args: rest };
  if (kind === "CMD-SHELL" && rest.length === 1) return { form: "shell", script: rest[0] as string };
  return command(c as Command);
}

function isScript(c: Command): c is ShellScript {
  return typeof c === "object" && c !== null && !Array.isArray(c) && typeof (c as ShellScript).script === "string";
}

function source(s: Source | undefined): string | ImageNode | undefined {
  return s === undefined || typeof s === "string" ? s : s[IMAGE_NODE];
}

function list<T>(v: T | readonly T[]): readonly T[] {
  return Array.isArray(v) ? (v as readonly T[]) : [v as T];
}

/** An image being defined: a base and the instructions on it, in order. */
export class Image {
  /** The recorded node (read by strata when it lowers the exports). */
  readonly [IMAGE_NODE]: ImageNode;

  /** Use `from()` to start an image. */
  constructor(node: ImageNode) {
    this[IMAGE_NODE] = node;
    Object.freeze(this);
  }

  #then(call: CallRecord): Image {
    return new Image({ parent: this[IMAGE_NODE], call, site: callSite() });
  }

  /**
   * Runs a command in the image and keeps what it changes as a layer (RUN).
   * @param cmd an argv array (exec form), or a string or `sh` template run by the SHELL
   * @param options mounts, network and here-documents
   */
  run(cmd: Command, options: RunOptions = {}): Image {
    const mounts: MountRecord[] = (options.mounts ?? []).map((m) => ({ ...m, from: source(m.from) }));
    return this.#then({ op: "run", command: command(cmd), mounts, network: options.network, security: options.security, heredocs: [...(options.heredocs ?? [])], newLayer: options.newLayer });
  }

  /**
   * Copies files from the build context, a stage or an image (COPY).
   * @param sources paths or patterns relative to the source root, or `heredoc()` files
   * @param dest the destination (a trailing `/` makes it a directory; relative to the workdir)
   * @param options the source, owner, mode, link, exclusions
   */
  copy(sources: string | Heredoc | readonly (string | Heredoc)[], dest: string, options: CopyOptions = {}): Image {
    const all = list(sources);
    return this.#then({
      op: "copy",
      sources: all.filter((s): s is string => typeof s === "string"),
      heredocs: all.filter((s): s is Heredoc => typeof s !== "string"),
      dest,
      from: source(options.from),
      chown: options.chown,
      chmod: options.chmod,
      link: options.link ?? false,
      parents: options.parents ?? false,
      exclude: [...(options.exclude ?? [])],
      keepGitDir: false,
    });
  }

  /**
   * Adds files from the context or URLs, unpacking local archives (ADD).
   * @param sources paths, patterns or URLs, or `heredoc()` files
   * @param dest the destination (relative to the workdir)
   * @param options owner, mode, checksum, unpacking
   */
  add(sources: string | Heredoc | readonly (string | Heredoc)[], dest: string, options: AddOptions = {}): Image {
    const all = list(sources);
    return this.#then({
      op: "add",
      sources: all.filter((s): s is string => typeof s === "string"),
      heredocs: all.filter((s): s is Heredoc => typeof s !== "string"),
      dest,
      chown: options.chown,
      chmod: options.chmod,
      link: options.link ?? false,
      parents: false,
      exclude: [...(options.exclude ?? [])],
      checksum: options.checksum,
      keepGitDir: options.keepGitDir ?? false,
      unpack: options.unpack,
    });
  }

  /**
   * Sets environment variables in the image and for later steps (ENV).
   * @param vars names and values, in order; values expand `$VAR` from before this call
   */
  env(vars: Readonly<Record<string, string>>): Image {
    return this.#then({ op: "env", vars: Object.entries(vars) });
  }

  /**
   * Declares a build argument in this stage (ARG): visible to later steps and
   * in the environment of later `run`s, never in the image.
   * @param name the argument's name
   * @param defaultValue its value when the build gives none (else a global `arg()` of that name)
   */
  arg(name: string, defaultValue?: string): Image {
    return this.#then({ op: "arg", name, default: defaultValue });
  }

  /**
   * Sets image labels (LABEL).
   * @param labels keys and values
   */
  label(labels: Readonly<Record<string, string>>): Image {
    return this.#then({ op: "label", labels: Object.entries(labels) });
  }

  /**
   * Sets the working directory, creating it when missing (WORKDIR).
   * @param path absolute, or relative to the current working directory
   */
  workdir(path: string): Image {
    return this.#then({ op: "workdir", path });
  }

  /**
   * Sets the user later steps and the container run as (USER).
   * @param user a name or uid, optionally with `:group`
   */
  user(user: string): Image {
    return this.#then({ op: "user", user });
  }

  /**
   * Documents ports the container listens on (EXPOSE).
   * @param ports `8080`, `"8080/tcp"`, `"53/udp"`
   */
  expose(...ports: Port[]): Image {
    return this.#then({ op: "expose", ports: ports.map(String) });
  }

  /**
   * Marks paths as volumes (VOLUME).
   * @param paths absolute paths in the container
   */
  volume(...paths: string[]): Image {
    return this.#then({ op: "volume", paths });
  }

  /**
   * Sets the program the container always runs (ENTRYPOINT); resets a CMD
   * inherited from the base unless this stage set one.
   * @param cmd an argv array, or a string / `sh` template run by the SHELL
   */
  entrypoint(cmd: Command): Image {
    return this.#then({ op: "entrypoint", command: command(cmd) });
  }

  /**
   * Sets the container's default command, or the entrypoint's default arguments (CMD).
   * @param cmd an argv array, or a string / `sh` template run by the SHELL
   */
  cmd(cmd: Command): Image {
    return this.#then({ op: "cmd", command: command(cmd) });
  }

  /**
   * Sets the shell that runs shell-form commands (SHELL).
   * @param args the shell's argv, e.g. `["/bin/sh", "-ec"]`
   */
  shell(args: readonly [string, ...string[]]): Image {
    return this.#then({ op: "shell", args: [...args] });
  }

  /**
   * Sets how the container's health is checked (HEALTHCHECK), or `"none"` to
   * disable a check inherited from the base. The command is an argv, a string
   * or `sh` script, or docker's test form as a compose file writes it:
   * `["CMD", "curl", "-f", "http://localhost/"]`, `["CMD-SHELL", "curl -f http://localhost/"]`,
   * `["NONE"]` (so `["CMD", "true"]` runs `true`, never a program named CMD).
   * @param cmd the check command, or "none"
   * @param options interval, timeout, start period, retries
   */
  healthcheck(cmd: HealthcheckCommand, options: HealthcheckOptions = {}): Image {
    const test = healthcheckCommand(cmd);
    if (test === undefined) return this.#then({ op: "healthcheck", command: undefined });
    return this.#then({ op: "healthcheck", command: test, ...options });
  }

  /**
   * Sets the signal that stops the container (STOPSIGNAL).
   * @param signal e.g. `"SIGQUIT"` or `9`
   */
  stopSignal(signal: Signal): Image {
    return this.#then({ op: "stopsignal", signal: String(signal) });
  }

  /**
   * Names the image's author (MAINTAINER): the image's `author` field. A
   * label (`label({ "org.opencontainers.image.authors": … })`) is the
   * modern way; this keeps a converted Dockerfile's image the same.
   * @param name e.g. `"Jane Doe <jane@example.com>"`
   */
  maintainer(name: string): Image {
    return this.#then({ op: "maintainer", name });
  }

  /**
   * Adds a trigger that runs when another build starts FROM this image (ONBUILD).
   * @param instruction the Dockerfile instruction, e.g. `"RUN make"`
   */
  onbuild(instruction: string): Image {
    return this.#then({ op: "onbuild", expression: instruction });
  }
}

/**
 * Starts an image (FROM): from an image reference (`"busybox:latest"`),
 * `"scratch"`, or another image value of this build (which then runs its
 * `onbuild` triggers).
 * @param base the base
 * @param options the platform
 */
export function from(base: Source, options: FromOptions = {}): Image {
  return new Image({ base: { image: source(base) as string | ImageNode, platform: options.platform }, site: callSite() });
}

/** The empty image (FROM scratch). */
export function scratch(): Image {
  return new Image({ base: { image: "scratch" }, site: callSite() });
}

/**
 * Declares a global build argument (an ARG before the first FROM) and
 * returns its value for this build: the `--build-arg` value, else the
 * default, else "". Use the value in TypeScript (conditions, loops, refs);
 * a stage that calls `.arg(name)` without a default sees it too.
 * @param name the argument's name
 * @param defaultValue its value when the build gives none
 */
export function arg(name: string, defaultValue?: string): string {
  const g = globalThis as unknown as Record<symbol, unknown>;
  if (g[GLOBAL_ARGS] === undefined) g[GLOBAL_ARGS] = [];
  (g[GLOBAL_ARGS] as GlobalArgRecord[]).push({ name, default: defaultValue, site: callSite() });
  const given = (g[BUILD_ARGS] as Readonly<Record<string, string>> | undefined)?.[name];
  return given ?? defaultValue ?? "";
}

/** Quotes a value for a POSIX shell (single quotes), unless it is plain. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A shell-form script: `sh\`make ${target}\``. Interpolated values are
 * shell-quoted (an array becomes several quoted words); `$VAR` in the text is
 * left for the shell. The text is taken as written (backslashes stay), except
 * that a backslash before a backtick or `${` makes it literal, and a
 * backslash at the end of a line joins the next line to it, as a Dockerfile's
 * RUN joins its continued lines (a line ending in a backslash pair is not
 * continued: the pair stays).
 */
export function sh(strings: TemplateStringsArray, ...values: readonly (string | number | readonly (string | number)[])[]): ShellScript {
  let script = unescapeRaw(strings.raw[0] ?? "");
  values.forEach((v, i) => {
    script += Array.isArray(v) ? v.map((x) => shellQuote(String(x))).join(" ") : shellQuote(String(v));
    script += unescapeRaw(strings.raw[i + 1] ?? "");
  });
  return { script };
}

/** One raw piece of a template with the escapes `sh` resolves (an escaped backtick or `${`, a backslash-newline); every other backslash pair kept. */
function unescapeRaw(s: string): string {
  return s.replace(/\\(\\|`|\$\{|\n)/g, (m, c: string) => (c === "\\" ? m : c === "\n" ? "" : c));
}

/**
 * An inline file (a here-document) for `copy`/`add` sources or `run`'s `heredocs`.
 * @param name the delimiter; for COPY/ADD also the file's name
 * @param content the content (end it with a newline)
 * @param options whether `$VAR` expands (COPY/ADD)
 */
export function heredoc(name: string, content: string, options: HeredocOptions = {}): Heredoc {
  return { name, content, expand: options.expand ?? true };
}
