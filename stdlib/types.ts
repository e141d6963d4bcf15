/**
 * The option types of the image.ts builders: one type per method, every field
 * documented (Dagger's SDK style). Template literal types let the compiler
 * check ports, durations and platforms before anything runs.
 */
import type { Image } from "./image.ts";

/** A shell script built with the `sh` tagged template (run by the image's SHELL). */
export interface ShellScript {
  /** The script text, interpolated values already shell-quoted. */
  readonly script: string;
}

/**
 * A command: an argv array (exec form, run as is), or a string / `sh` template
 * (shell form, run by the image's SHELL, `/bin/sh -c` by default).
 */
export type Command = readonly string[] | string | ShellScript;

/** A transport protocol of an exposed port. */
export type Protocol = "tcp" | "udp" | "sctp";

/** A port to expose: `8080`, `"8080"`, `"53/udp"`, a range `"8000-8010"` or `"8000-8010/udp"`, or a `$VAR` reference. */
export type Port = number | `${number}` | `${number}/${Protocol}` | `${number}-${number}` | `${number}-${number}/${Protocol}` | `$${string}`;

/** A Go duration unit. */
export type DurationUnit = "ns" | "us" | "ms" | "s" | "m" | "h";

/** A Go duration: `"30s"`, `"500ms"`, `"1m30s"`, `"1.5h"`. */
export type Duration = `${number}${DurationUnit}` | `${number}${DurationUnit}${number}${DurationUnit}` | `${number}${DurationUnit}${number}${DurationUnit}${number}${DurationUnit}`;

/** A platform in OCI form: `"linux/amd64"`, `"linux/arm64/v8"`, or a `$VAR` reference. */
export type Platform = `${string}/${string}`;

/** The Linux signal names docker knows (moby/sys signal.SignalMap), without `SIG`. */
export type SignalName =
  | "ABRT" | "ALRM" | "BUS" | "CHLD" | "CLD" | "CONT" | "FPE" | "HUP" | "ILL" | "INT" | "IO" | "IOT" | "KILL" | "PIPE" | "POLL" | "PROF" | "PWR" | "QUIT"
  | "SEGV" | "STKFLT" | "STOP" | "SYS" | "TERM" | "TRAP" | "TSTP" | "TTIN" | "TTOU" | "URG" | "USR1" | "USR2" | "VTALRM" | "WINCH" | "XCPU" | "XFSZ"
  | "RTMIN" | "RTMAX" | `RTMIN+${number}` | `RTMAX-${number}`;

/**
 * A signal for `stopSignal`: a name with or without `SIG`, upper or lower
 * case (`"SIGTERM"`, `"term"`, `"SIGRTMIN+3"`), a non-zero number, or a
 * `$VAR` reference. An unknown name is a type error.
 */
export type Signal = `SIG${SignalName}` | SignalName | `sig${Lowercase<SignalName>}` | Lowercase<SignalName> | number | `${number}` | `$${string}`;

/**
 * A healthcheck's command: a `Command`, `"none"`, or docker's test form
 * (`["CMD", ...argv]`, `["CMD-SHELL", "script"]`, `["NONE"]`).
 */
export type HealthcheckCommand = Command | "none" | readonly ["CMD", string, ...string[]] | readonly ["CMD-SHELL", string] | readonly ["NONE"];

/**
 * A `--chmod` mode: octal digits (`"0755"`, `"4755"`, up to `"07777"`), a
 * chmod(1) symbolic mode (`"u+x"`, `"u=rwX,go=rX"`), or a `$VAR` reference.
 * A digit string over 07777 or with 8 or 9 in it (`"999"`) is refused at the
 * call when the file is evaluated.
 */
export type Chmod = `${number}` | `${"" | "u" | "g" | "o" | "a" | "ug" | "go" | "uo" | "ugo"}${"+" | "-" | "="}${string}` | `$${string}`;

/** Where a `copy`/`add`/mount reads from: an image value (a stage of this build) or an image reference. */
export type Source = Image | string;

/** An inline file made with `heredoc()`: a here-document of COPY, ADD or RUN. */
export interface Heredoc {
  /** The delimiter; for COPY/ADD it is also the name the file is copied under. */
  readonly name: string;
  /** The content, with its final newline. */
  readonly content: string;
  /** Whether `$VAR` references in the content expand (COPY/ADD only; default true). */
  readonly expand: boolean;
}

/** Options of `heredoc()`. */
export interface HeredocOptions {
  /** Expand `$VAR` references in the content from the stage's env and args (COPY/ADD; default true). */
  readonly expand?: boolean;
}

/** Options of `from()`. */
export interface FromOptions {
  /** The platform of the base image, e.g. `"linux/amd64"` (FROM --platform). */
  readonly platform?: Platform;
}

/** A RUN mount (RUN --mount). */
export interface MountOptions {
  /** The kind of mount: a bind of the context/a stage/an image, a persistent cache, a tmpfs, a secret or the SSH agent. */
  readonly type: "bind" | "cache" | "tmpfs" | "secret" | "ssh";
  /** Where the mount appears in the container (relative paths resolve against the workdir). */
  readonly target?: string;
  /** The path inside `from` (bind, cache) to mount. */
  readonly source?: string;
  /** Bind or cache from a stage of this build (an image value) or an image reference instead of the context. */
  readonly from?: Source;
  /** Mount read-only (bind mounts are read-only unless `readonly: false`). */
  readonly readonly?: boolean;
  /** The cache or secret id (default: the target). */
  readonly id?: string;
  /** How concurrent builds share a cache mount. */
  readonly sharing?: "shared" | "private" | "locked";
  /** The mode of a cache's or secret's root directory/file. */
  readonly mode?: number;
  /** The owner uid of a cache or secret. */
  readonly uid?: number;
  /** The owner gid of a cache or secret. */
  readonly gid?: number;
  /** Fail when the secret or SSH agent is not given. */
  readonly required?: boolean;
  /** Expose a secret as this environment variable instead of a file. */
  readonly env?: string;
  /** The size limit of a tmpfs, in bytes. */
  readonly size?: number;
}

/** Options of `run()`. */
export interface RunOptions {
  /** Mounts present only while the command runs (RUN --mount). */
  readonly mounts?: readonly MountOptions[];
  /** The network the command sees (RUN --network; default the build's). */
  readonly network?: "default" | "none" | "host";
  /** Run insecure (RUN --security=insecure). */
  readonly security?: "sandbox" | "insecure";
  /** Start a new layer here: never merge this RUN into the one before (a `# strata:layer` comment in a Dockerfile). */
  readonly newLayer?: boolean;
  /** Here-documents the shell-form script reads (`sh\`<<EOF\``). */
  readonly heredocs?: readonly Heredoc[];
}

/** Options of `copy()`. */
export interface CopyOptions {
  /** Copy from a stage of this build (an image value) or an image reference instead of the context (COPY --from). */
  readonly from?: Source;
  /** Owner of the copied files: `"user"`, `"user:group"`, or numeric ids (COPY --chown). */
  readonly chown?: string;
  /** Mode of the copied files: octal up to `"07777"` (`"0755"`) or symbolic (`"u+x"`, `"go=rX"`) (COPY --chmod). */
  readonly chmod?: Chmod;
  /** Copy into a layer of its own, independent of what is below (COPY --link). */
  readonly link?: boolean;
  /** Keep the source's parent directories (COPY --parents). */
  readonly parents?: boolean;
  /** Patterns of files to leave out (COPY --exclude). */
  readonly exclude?: readonly string[];
}

/** Options of `add()`. */
export interface AddOptions {
  /** Owner of the added files (ADD --chown). */
  readonly chown?: string;
  /** Mode of the added files, as `copy`'s (ADD --chmod). */
  readonly chmod?: Chmod;
  /** Add into a layer of its own (ADD --link). */
  readonly link?: boolean;
  /** Patterns of files to leave out (ADD --exclude). */
  readonly exclude?: readonly string[];
  /** The expected digest of a URL source (ADD --checksum). */
  readonly checksum?: `sha256:${string}`;
  /** Keep the .git directory of a Git source (ADD --keep-git-dir). */
  readonly keepGitDir?: boolean;
  /** Whether local archives are unpacked (ADD --unpack; default true for local archives). */
  readonly unpack?: boolean;
}

/** Options of `healthcheck()`. */
export interface HealthcheckOptions {
  /** Time between checks (default 30s). */
  readonly interval?: Duration;
  /** Time a check may take (default 30s). */
  readonly timeout?: Duration;
  /** Grace period after start during which failures do not count. */
  readonly startPeriod?: Duration;
  /** Time between checks during the start period. */
  readonly startInterval?: Duration;
  /** Consecutive failures before the container is unhealthy (default 3). */
  readonly retries?: number;
}
