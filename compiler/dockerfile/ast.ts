import type { Span } from "../source/span.ts";

/**
 * The Dockerfile AST, in two levels as BuildKit has them:
 *
 * 1. `Node`: the generic parse of one instruction (keyword, flags, values as
 *    BuildKit's parser splits them, heredocs). `strata parse --format sexp`
 *    dumps these byte-for-byte like BuildKit's AST dump.
 * 2. `Instruction`: the typed form, one interface per instruction, with flags
 *    parsed into typed values. Words stay raw (unexpanded): expansion happens
 *    during lowering with the stage's environment (compiler/shell).
 *
 * Every node carries the span of the source it came from.
 */

export type EscapeChar = "\\" | "`";

export interface Directive {
  /** Lower-case directive name: syntax, escape, check. */
  readonly name: string;
  readonly value: string;
  readonly span: Span;
}

/** A `--name=value` flag word. Quotes inside the word are removed. */
export interface Flag {
  readonly name: string;
  /** undefined for a bare `--name`. */
  readonly value: string | undefined;
  /** The flag word as BuildKit's dump prints it, e.g. `--from=a`. */
  readonly text: string;
  readonly span: Span;
  readonly valueSpan: Span;
}

export interface Heredoc {
  readonly name: string;
  /** false when the delimiter was quoted (`<<"EOF"`): no expansion. */
  readonly expand: boolean;
  /** `<<-EOF`: leading tabs stripped from the body lines. */
  readonly chomp: boolean;
  /** File descriptor prefix as in `3<<EOF`. */
  readonly fd: number | undefined;
  /** The body, with the final newline kept (as BuildKit does). */
  readonly content: string;
  readonly span: Span;
}

/** A raw (unexpanded) word with its span. */
export interface Word {
  readonly text: string;
  readonly span: Span;
}

/** The generic parse of one instruction (BuildKit's parser.Node). */
export interface Node {
  /** Lower-case keyword, e.g. "run". */
  readonly keyword: string;
  /** The keyword as written (for ConsistentInstructionCasing). */
  readonly keywordText: string;
  readonly keywordSpan: Span;
  readonly flags: readonly Flag[];
  /** Values as BuildKit's parser splits them for this keyword (see conformance README). */
  readonly values: readonly Word[];
  /** Whether the values came from a JSON array. */
  readonly json: boolean;
  /** The logical line after the flags, continuations joined as BuildKit joins them. */
  readonly rest: Word;
  readonly heredocs: readonly Heredoc[];
  /** ONBUILD's nested instruction. */
  readonly next: Node | undefined;
  /** The whole instruction, keyword to the end of its last heredoc. */
  readonly span: Span;
}

export interface DockerfileAst {
  readonly file: string;
  readonly escape: EscapeChar;
  readonly directives: readonly Directive[];
  readonly nodes: readonly Node[];
}

// ---------------------------------------------------------------------------
// Typed instructions.

/** Exec form (JSON array, never expanded) or shell form (one string run by the SHELL). */
export type CommandLine =
  | { readonly form: "exec"; readonly args: readonly string[] }
  | { readonly form: "shell"; readonly script: string };

interface InstructionBase {
  readonly node: Node;
  readonly span: Span;
}

export interface FromInstruction extends InstructionBase {
  readonly kind: "FROM";
  readonly image: Word;
  readonly stageName: Word | undefined;
  readonly platform: Word | undefined;
}

export type MountType = "bind" | "cache" | "tmpfs" | "secret" | "ssh";

export interface MountSpec {
  readonly type: MountType;
  readonly target: string | undefined;
  readonly source: string | undefined;
  readonly from: string | undefined;
  readonly readonly: boolean;
  readonly id: string | undefined;
  readonly sharing: "shared" | "private" | "locked" | undefined;
  readonly mode: number | undefined;
  readonly uid: number | undefined;
  readonly gid: number | undefined;
  readonly required: boolean | undefined;
  readonly env: string | undefined;
  readonly size: number | undefined;
  readonly span: Span;
}

/** One `key[=value]` of a `--mount` flag, the key in its canonical spelling (src → source, dst → target, ro → readonly …). */
export interface MountField {
  readonly key: string;
  /** As written (unexpanded); undefined for a bare `ro`, `rw` or `required`. */
  readonly value: string | undefined;
}

/**
 * One `RUN --mount=…` flag. As BuildKit's parseMount, its values are expanded with the
 * stage's ARG/ENV before they are validated, so a mount whose values name a variable
 * is typed at lowering (`literal` undefined); one with literal values only is typed here.
 */
export interface MountFlag {
  readonly fields: readonly MountField[];
  readonly span: Span;
  readonly literal: MountSpec | undefined;
}

export interface RunInstruction extends InstructionBase {
  readonly kind: "RUN";
  readonly command: CommandLine;
  readonly heredocs: readonly Heredoc[];
  readonly mounts: readonly MountFlag[];
  readonly network: "default" | "none" | "host" | undefined;
  readonly security: "sandbox" | "insecure" | undefined;
  /** Never merge into the RUN before: image.ts's `run(…, { newLayer: true })` (a Dockerfile says it with a `# strata:layer` line). */
  readonly newLayer?: true;
}

export interface CmdInstruction extends InstructionBase {
  readonly kind: "CMD";
  readonly command: CommandLine;
}

export interface EntrypointInstruction extends InstructionBase {
  readonly kind: "ENTRYPOINT";
  readonly command: CommandLine;
}

export interface ShellInstruction extends InstructionBase {
  readonly kind: "SHELL";
  readonly args: readonly string[];
}

export interface KeyValue {
  readonly key: string;
  /** Raw value, quotes and escapes kept; expanded during lowering. */
  readonly value: Word;
  readonly span: Span;
  /** true for the legacy `ENV key value` form. */
  readonly legacy: boolean;
}

export interface EnvInstruction extends InstructionBase {
  readonly kind: "ENV";
  readonly pairs: readonly KeyValue[];
}

export interface LabelInstruction extends InstructionBase {
  readonly kind: "LABEL";
  readonly pairs: readonly KeyValue[];
}

export interface ArgDecl {
  readonly name: string;
  readonly default: Word | undefined;
  readonly span: Span;
}

export interface ArgInstruction extends InstructionBase {
  readonly kind: "ARG";
  readonly args: readonly ArgDecl[];
}

interface CopyCommon extends InstructionBase {
  readonly sources: readonly Word[];
  readonly dest: Word;
  readonly chown: Word | undefined;
  readonly chmod: Word | undefined;
  readonly link: boolean;
  readonly exclude: readonly Word[];
  readonly heredocs: readonly Heredoc[];
}

export interface CopyInstruction extends CopyCommon {
  readonly kind: "COPY";
  readonly from: Word | undefined;
  readonly parents: boolean;
}

export interface AddInstruction extends CopyCommon {
  readonly kind: "ADD";
  readonly checksum: Word | undefined;
  readonly keepGitDir: boolean;
  readonly unpack: boolean | undefined;
}

export interface WorkdirInstruction extends InstructionBase {
  readonly kind: "WORKDIR";
  readonly path: Word;
}

export interface UserInstruction extends InstructionBase {
  readonly kind: "USER";
  readonly user: Word;
}

export interface ExposeInstruction extends InstructionBase {
  readonly kind: "EXPOSE";
  readonly ports: readonly Word[];
}

export interface VolumeInstruction extends InstructionBase {
  readonly kind: "VOLUME";
  readonly paths: readonly Word[];
}

export interface StopSignalInstruction extends InstructionBase {
  readonly kind: "STOPSIGNAL";
  readonly signal: Word;
}

export interface MaintainerInstruction extends InstructionBase {
  readonly kind: "MAINTAINER";
  readonly name: string;
}

/** Durations in nanoseconds, as the image config stores them. */
export interface HealthcheckInstruction extends InstructionBase {
  readonly kind: "HEALTHCHECK";
  /** undefined for `HEALTHCHECK NONE`. */
  readonly command: CommandLine | undefined;
  readonly interval: number | undefined;
  readonly timeout: number | undefined;
  readonly startPeriod: number | undefined;
  readonly startInterval: number | undefined;
  readonly retries: number | undefined;
}

export interface OnbuildInstruction extends InstructionBase {
  readonly kind: "ONBUILD";
  /** The trigger's source text, as stored in the image config's OnBuild. */
  readonly expression: string;
  readonly trigger: Instruction;
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | ShellInstruction
  | EnvInstruction
  | LabelInstruction
  | ArgInstruction
  | CopyInstruction
  | AddInstruction
  | WorkdirInstruction
  | UserInstruction
  | ExposeInstruction
  | VolumeInstruction
  | StopSignalInstruction
  | MaintainerInstruction
  | HealthcheckInstruction
  | OnbuildInstruction;

export type InstructionKind = Instruction["kind"];
