/**
 * What evaluating an image.ts leaves behind: plain data, one node per builder
 * call, linked to the node it was called on. compiler/imagets lowers these
 * records to the build graph; nothing here runs anything.
 *
 * Values are as the user wrote them in TypeScript (not Dockerfile words):
 * compiler/imagets turns them into words.
 */

/** The brand under which an `Image` exposes its node (Symbol.for: shared across bundle copies). */
export const IMAGE_NODE: unique symbol = Symbol.for("strata.image.node") as never;

/** The global-ARG list of one evaluation (read by the evaluator after import). */
export const GLOBAL_ARGS: unique symbol = Symbol.for("strata.global.args") as never;

/** The build arguments of one evaluation (set by the evaluator before import). */
export const BUILD_ARGS: unique symbol = Symbol.for("strata.build.args") as never;

/** One raw stack frame of the bundle, mapped back to image.ts by the evaluator. */
export interface Frame {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Where a builder call was made: the raw frames, innermost first. */
export interface CallSite {
  readonly frames: readonly Frame[];
}

/** A command: an argv (exec form) or a script the image's SHELL runs (shell form). */
export type CommandRecord = { readonly form: "exec"; readonly args: readonly string[] } | { readonly form: "shell"; readonly script: string };

export interface HeredocRecord {
  readonly name: string;
  readonly content: string;
  /** Whether `$VAR` expands in the content (COPY only; RUN's shell expands at run time). */
  readonly expand: boolean;
}

export interface MountRecord {
  readonly type: "bind" | "cache" | "tmpfs" | "secret" | "ssh";
  readonly target?: string | undefined;
  readonly source?: string | undefined;
  readonly from?: string | ImageNode | undefined;
  readonly readonly?: boolean | undefined;
  readonly id?: string | undefined;
  readonly sharing?: "shared" | "private" | "locked" | undefined;
  readonly mode?: number | undefined;
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
  readonly required?: boolean | undefined;
  readonly env?: string | undefined;
  readonly size?: number | undefined;
}

export type CallRecord =
  | {
      readonly op: "run";
      readonly command: CommandRecord;
      readonly mounts: readonly MountRecord[];
      readonly network?: "default" | "none" | "host" | undefined;
      readonly security?: "sandbox" | "insecure" | undefined;
      readonly heredocs: readonly HeredocRecord[];
      readonly newLayer?: boolean | undefined;
    }
  | {
      readonly op: "copy" | "add";
      readonly sources: readonly string[];
      readonly heredocs: readonly HeredocRecord[];
      readonly dest: string;
      readonly from?: string | ImageNode | undefined;
      readonly chown?: string | undefined;
      readonly chmod?: string | undefined;
      readonly link: boolean;
      readonly parents: boolean;
      readonly exclude: readonly string[];
      readonly checksum?: string | undefined;
      readonly keepGitDir: boolean;
      readonly unpack?: boolean | undefined;
    }
  | { readonly op: "env"; readonly vars: readonly (readonly [string, string])[] }
  | { readonly op: "label"; readonly labels: readonly (readonly [string, string])[] }
  | { readonly op: "arg"; readonly name: string; readonly default?: string | undefined }
  | { readonly op: "workdir"; readonly path: string }
  | { readonly op: "user"; readonly user: string }
  | { readonly op: "expose"; readonly ports: readonly string[] }
  | { readonly op: "volume"; readonly paths: readonly string[] }
  | { readonly op: "entrypoint" | "cmd"; readonly command: CommandRecord }
  | { readonly op: "shell"; readonly args: readonly string[] }
  | {
      readonly op: "healthcheck";
      /** undefined: HEALTHCHECK NONE. */
      readonly command: CommandRecord | undefined;
      /** Go durations as written ("30s", "1m30s"). */
      readonly interval?: string | undefined;
      readonly timeout?: string | undefined;
      readonly startPeriod?: string | undefined;
      readonly startInterval?: string | undefined;
      readonly retries?: number | undefined;
    }
  | { readonly op: "stopsignal"; readonly signal: string }
  | { readonly op: "maintainer"; readonly name: string }
  | { readonly op: "onbuild"; readonly expression: string };

/** One image value: a stage root (`base`) or a call on a parent image. */
export interface ImageNode {
  readonly parent?: ImageNode | undefined;
  /** Only on roots: what the stage starts from (an image reference, "scratch", or another image value). */
  readonly base?: { readonly image: string | ImageNode; readonly platform?: string | undefined } | undefined;
  readonly call?: CallRecord | undefined;
  readonly site: CallSite;
}

/** A global build argument declared with `arg()` at module level (an ARG before the first FROM). */
export interface GlobalArgRecord {
  readonly name: string;
  readonly default?: string | undefined;
  readonly site: CallSite;
}
