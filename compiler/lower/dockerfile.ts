import type { AddInstruction, CopyInstruction, DockerfileAst, FromInstruction, Instruction, RunInstruction } from "../dockerfile/ast.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { BuildGraph, CopyOp, Mount, RunOp, SourceRef, Stage, StageBase, Step } from "../ir/graph.ts";
import { DEFAULT_PATH, envLookup, envSet } from "../ir/env.ts";
import type { ContainerConfig } from "../ir/image-config.ts";
import type { SourceFile } from "../source/source-file.ts";
import type { Span } from "../source/span.ts";
import { applyConfig, commandArgv, normalize } from "./config.ts";
import { copyCreatedBy, runCreatedBy } from "./created-by.ts";
import { hostPlatform, platformArgs } from "./platform.ts";
import { Expander, Scope } from "./scope.ts";

/** What lowering needs to know of a base image. */
export interface BaseImage {
  readonly ref: string;
  /** Digest of the image's manifest (or config): the stage's identity for cache keys. */
  readonly digest: string;
  readonly config: ContainerConfig;
}

export interface LowerInput {
  readonly source: SourceFile;
  readonly ast: DockerfileAst;
  readonly instructions: readonly Instruction[];
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** Stage name or index; default the last stage. */
  readonly target?: string | undefined;
  readonly platform?: string;
  /** Looks up a base image already in hand; undefined when it is not. */
  readonly resolveImage: (ref: string) => BaseImage | undefined;
}

export interface LowerResult {
  readonly graph: BuildGraph | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /** Image references the graph needs that resolveImage did not know: fetch them and lower again. */
  readonly missingImages: readonly string[];
}

interface StageDraft {
  stage: Stage;
  names: string[];
}

/**
 * Lowers a parsed Dockerfile into the build graph: splits stages, resolves
 * bases, scopes ARGs, expands words with the stage's environment, and turns
 * each instruction into a step. Every problem is a diagnostic.
 */
export function lowerDockerfile(input: LowerInput): LowerResult {
  const ex = new Expander(input.source.name);
  const platform = input.platform ?? hostPlatform(process.arch);
  const predefined = platformArgs(platform, platform);
  const buildArgs = input.buildArgs ?? {};
  const missing: string[] = [];
  const drafts: StageDraft[] = [];

  // Global ARGs (before the first FROM): visible to FROM lines only.
  let globals = new Scope([], new Map(predefined), input.ast.escape);
  let current: { draft: StageDraft; scope: Scope; cmdSet: boolean } | undefined;

  const ref = (instr: Instruction, span: Span = instr.span): SourceRef => {
    const lc = input.source.lineCol(span.start);
    return { file: input.source.name, line: lc.line, column: lc.column, start: span.start, end: span.end, text: input.source.text.slice(instr.span.start, instr.span.end).split(/\r?\n/)[0] ?? "" };
  };

  let previousEnd = 0;
  for (const instr of input.instructions) {
    const boundary = BOUNDARY.test(input.source.text.slice(previousEnd, instr.span.start));
    previousEnd = instr.span.end;
    const push = (op: Step["op"], config: ContainerConfig, createdBy: string[]): void => {
      if (current) pushStep(current.draft, instr, op, config, createdBy, ref, boundary);
    };
    if (instr.kind === "FROM") {
      const draft = startStage(instr, drafts, globals, ex, input, missing, ref(instr));
      drafts.push(draft);
      const env = draft.stage.baseConfig.Env ?? [];
      current = { draft, scope: new Scope(envLookup(env, "PATH") === undefined ? envSet(env, "PATH", DEFAULT_PATH) : env, new Map(), input.ast.escape), cmdSet: false };
      current.draft.stage.baseConfig = { ...draft.stage.baseConfig, Env: [...current.scope.env] };
      continue;
    }
    if (instr.kind === "ARG") {
      for (const decl of instr.args) {
        const scope = current ? current.scope : globals;
        let value: string | undefined = buildArgs[decl.name];
        if (value === undefined && decl.default !== undefined) value = ex.word(decl.default, scope);
        if (value === undefined) value = current ? globals.args.get(decl.name) : predefined.get(decl.name);
        if (current) current.scope = current.scope.withArg(decl.name, value);
        else globals = globals.withArg(decl.name, value);
      }
      if (current) push(null, lastConfig(current.draft), [`ARG ${instr.args.map((a) => (a.default ? `${a.name}=${a.default.text}` : a.name)).join(" ")}`]);
      continue;
    }
    if (current === undefined) {
      ex.error("LW002", instr, `${instr.kind} before the first FROM`, "only ARG may come before FROM");
      continue;
    }
    const config = lastConfig(current.draft);
    const scope = current.scope.withEnv(config.Env ?? []);
    if (instr.kind === "RUN") {
      const op = lowerRun(instr, config, scope, ref(instr), ex, drafts);
      for (const m of op.mounts) if (m.from && "image" in m.from && input.resolveImage(m.from.image) === undefined) missing.push(m.from.image);
      push(op, config, [runCreatedBy(op.commands[0]?.args ?? [])]);
      continue;
    }
    if (instr.kind === "COPY" || instr.kind === "ADD") {
      const op = lowerCopy(instr, config, scope, ex, drafts);
      if (op.from.type === "image" && input.resolveImage(op.from.ref) === undefined) missing.push(op.from.ref);
      push(op, config, [copyCreatedBy(instr.kind, op.sources, ex.word(instr.dest, scope))]);
      continue;
    }
    const change = applyConfig(instr, config, scope, ex, current.cmdSet);
    if (change === undefined) continue;
    if (instr.kind === "CMD") current.cmdSet = true;
    push(null, change.config, [change.createdBy]);
  }

  if (drafts.length === 0) {
    ex.error("LW003", { span: { start: 0, end: 0 } }, "the Dockerfile has no FROM instruction", "start it with FROM <image>");
  }
  const target = resolveTarget(input.target, drafts, ex);
  const diagnostics = ex.diagnostics;
  if (diagnostics.some((d) => d.severity === "error") || target === undefined) {
    return { graph: undefined, diagnostics, missingImages: [...new Set(missing)] };
  }
  return { graph: { version: 1, stages: drafts.map((d) => d.stage), target }, diagnostics, missingImages: [...new Set(missing)] };
}

function lastConfig(d: StageDraft): ContainerConfig {
  const steps = d.stage.steps;
  return steps.length > 0 ? (steps[steps.length - 1] as Step).config : d.stage.baseConfig;
}

function pushStep(d: StageDraft, instr: Instruction, op: Step["op"], config: ContainerConfig, createdBy: string[], ref: (i: Instruction) => SourceRef, boundary: boolean): void {
  d.stage.steps.push({ sources: [ref(instr)], createdBy, op, config, ...(boundary && { boundary }) });
}

/** A `# strata:layer` comment line between two instructions asks for a layer boundary. */
const BOUNDARY = /^[ \t]*#[ \t]*strata:layer\b/m;

function startStage(instr: FromInstruction, drafts: StageDraft[], globals: Scope, ex: Expander, input: LowerInput, missing: string[], source: SourceRef): StageDraft {
  const imageRef = ex.word(instr.image, globals);
  const name = instr.stageName ? instr.stageName.text.toLowerCase() : undefined;
  const platform = instr.platform ? ex.word(instr.platform, globals) : (input.platform ?? hostPlatform(process.arch));
  let base: StageBase;
  let baseConfig: ContainerConfig = {};
  const byName = drafts.find((d) => d.names.includes(imageRef.toLowerCase()));
  if (byName) {
    base = { type: "stage", stage: byName.stage.index };
    baseConfig = { ...lastConfig(byName), OnBuild: null };
  } else if (imageRef === "scratch") {
    base = { type: "scratch" };
  } else {
    const img = input.resolveImage(imageRef);
    if (img === undefined) {
      missing.push(imageRef);
      base = { type: "image", ref: imageRef, digest: "" };
    } else {
      base = { type: "image", ref: imageRef, digest: img.digest };
      baseConfig = { ...img.config, OnBuild: null };
    }
  }
  const index = drafts.length;
  const stage: Stage = { index, base, platform, source, steps: [], baseConfig, ...(name !== undefined && { name }) };
  return { stage, names: name !== undefined ? [name] : [] };
}

function resolveTarget(target: string | undefined, drafts: StageDraft[], ex: Expander): number | undefined {
  if (drafts.length === 0) return undefined;
  if (target === undefined) return drafts.length - 1;
  const lower = target.toLowerCase();
  const found = drafts.find((d) => d.names.includes(lower));
  if (found) return found.stage.index;
  const names = drafts.flatMap((d) => d.names);
  ex.error("LW004", { span: { start: 0, end: 0 } }, `target stage "${target}" could not be found`, names.length ? `stages: ${names.join(", ")}` : "the Dockerfile names no stages (FROM image AS name)");
  return undefined;
}

/** Resolves a `--from` name: an earlier stage by name or index, else an image reference. */
function fromRef(name: string, drafts: StageDraft[]): { stage: number } | { image: string } {
  const byName = drafts.find((d) => d.names.includes(name.toLowerCase()));
  if (byName) return { stage: byName.stage.index };
  if (/^\d+$/.test(name) && Number(name) < drafts.length) return { stage: Number(name) };
  return { image: name };
}

function lowerRun(instr: RunInstruction, config: ContainerConfig, scope: Scope, source: SourceRef, ex: Expander, drafts: StageDraft[]): RunOp {
  const argv = commandArgv(instr.command, config.Shell);
  // Declared ARGs join the environment of the RUN (not the image's Env).
  const env = [...(config.Env ?? []), ...scope.argEnv()];
  const cwd = config.WorkingDir || "/";
  const mounts: Mount[] = instr.mounts.map((m) => {
    const target = m.target === undefined ? "" : ex.word({ text: m.target, span: m.span }, scope);
    return {
      type: m.type,
      target: target === "" || target.startsWith("/") ? target : normalize(`${cwd}/${target}`),
      readonly: m.readonly,
      ...(m.from !== undefined && { from: fromRef(ex.word({ text: m.from, span: m.span }, scope), drafts) }),
      ...(m.source !== undefined && { source: ex.word({ text: m.source, span: m.span }, scope) }),
      ...(m.id !== undefined && { id: ex.word({ text: m.id, span: m.span }, scope) }),
      ...(m.sharing !== undefined && { sharing: m.sharing }),
      ...(m.mode !== undefined && { mode: m.mode }),
      ...(m.uid !== undefined && { uid: m.uid }),
      ...(m.gid !== undefined && { gid: m.gid }),
      ...(m.required !== undefined && { required: m.required }),
      ...(m.env !== undefined && { env: m.env }),
      ...(m.size !== undefined && { size: m.size }),
    };
  });
  return {
    kind: "run",
    commands: [{ args: argv, heredocs: instr.heredocs.map((h) => ({ name: h.name, content: h.content, ...(h.fd !== undefined && { fd: h.fd }) })), source }],
    env,
    cwd,
    user: config.User || "",
    network: instr.network ?? "default",
    security: instr.security ?? "sandbox",
    mounts,
  };
}

function lowerCopy(instr: CopyInstruction | AddInstruction, config: ContainerConfig, scope: Scope, ex: Expander, drafts: StageDraft[]): CopyOp {
  const sources = instr.sources.map((w) => ex.word(w, scope));
  const dest = ex.word(instr.dest, scope);
  let from: CopyOp["from"] = { type: "context" };
  if (instr.kind === "COPY" && instr.from !== undefined) {
    const f = ex.word(instr.from, scope);
    const r = fromRef(f, drafts);
    if ("stage" in r) from = { type: "stage", stage: r.stage };
    else if (/^\d+$/.test(f)) ex.error("LW005", instr.from, `COPY --from=${f}: there is no stage ${f} before this one`);
    else from = { type: "image", ref: r.image };
  }
  const cwd = config.WorkingDir || "/";
  return {
    kind: "copy",
    add: instr.kind === "ADD",
    from,
    sources,
    inline: instr.heredocs.map((h) => ({ name: h.name, content: h.content })),
    dest: dest.startsWith("/") ? dest : `${normalize(`${cwd}/${dest}`)}${dest.endsWith("/") || dest === "." ? "/" : ""}`,
    cwd,
    ...(instr.chown !== undefined && { chown: ex.word(instr.chown, scope) }),
    ...(instr.chmod !== undefined && { chmod: ex.word(instr.chmod, scope) }),
    link: instr.link,
    parents: instr.kind === "COPY" ? instr.parents : false,
    exclude: instr.exclude.map((w) => ex.word(w, scope)),
    ...(instr.kind === "ADD" && instr.checksum !== undefined && { checksum: ex.word(instr.checksum, scope) }),
    ...(instr.kind === "ADD" && { keepGitDir: instr.keepGitDir }),
    ...(instr.kind === "ADD" && instr.unpack !== undefined && { unpack: instr.unpack }),
  };
}
