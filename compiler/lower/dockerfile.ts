import type { DockerfileAst, FromInstruction, Instruction } from "../dockerfile/ast.ts";
import { parseDockerfile } from "../dockerfile/parse.ts";
import { LAYER_MARK } from "../dockerfile/strata-directives.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { DEFAULT_PATH, envLookup, envSet } from "../ir/env.ts";
import type { BuildGraph, SourceRef, Stage, StageBase, Step } from "../ir/graph.ts";
import type { ContainerConfig } from "../ir/image-config.ts";
import { canonicalImageRef } from "../ir/image-ref.ts";
import { SourceFile } from "../source/source-file.ts";
import { applyConfig } from "./config.ts";
import { copyCreatedBy, runCreatedBy } from "./created-by.ts";
import { contextRootOp, lowerCopy, lowerRun, type NamedContexts, type StageNames } from "./ops.ts";
import { hostPlatform, PROXY_ARGS, platformArgs, platformMatches } from "./platform.ts";
import { Expander, Scope } from "./scope.ts";

/** What lowering needs to know of a base image. */
export interface BaseImage {
  readonly ref: string;
  /** The image ID (its config's digest): the stage's identity for cache keys; "" when unknown (explain --offline). */
  readonly digest: string;
  readonly config: ContainerConfig;
  /** Its config's os/architecture[/variant], when known: what its layers are built for. */
  readonly platform?: string | undefined;
}

/** An image the graph needs that `resolveImage` did not know, and the first instruction that needs it. */
export interface MissingImage {
  readonly ref: string;
  /** The FROM (or `from()` call), COPY --from or RUN --mount that names it; for an ONBUILD trigger's, the FROM that runs it. */
  readonly at: SourceRef;
  /** The base's ONBUILD trigger that names it, when one does (`ONBUILD COPY --from=img …` of the base). */
  readonly trigger?: string | undefined;
  /** The platform to get it for: its stage's (FROM --platform, else the build's). */
  readonly platform?: string;
}

export interface LowerInput {
  readonly source: SourceFile;
  readonly ast: DockerfileAst;
  readonly instructions: readonly Instruction[];
  /** The file an instruction's span points into, when not `source` (image.ts calls made in other modules). */
  readonly sourceOf?: (instr: Instruction) => SourceFile | undefined;
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** Stage name or index; default the last stage. */
  readonly target?: string | undefined;
  readonly platform?: string;
  /** Looks up a base image already in hand; undefined when it is not. */
  readonly resolveImage: (ref: string) => BaseImage | undefined;
  /** `--build-context NAME=…`: these names mean the given image or local directory wherever FROM or --from names them. */
  readonly namedContexts?: NamedContexts;
}

export interface LowerResult {
  readonly graph: BuildGraph | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /** Images the graph needs that resolveImage did not know, each once: fetch them and lower again. */
  readonly missingImages: readonly MissingImage[];
}

interface StageDraft extends StageNames {
  readonly stage: Stage;
  scope: Scope;
  /** The ARG names the stage declared, first declaration first (RUN's history lists them, as BuildKit's d.buildArgs). */
  readonly declared: string[];
  /** Whether the stage has set CMD itself (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
}

/** The history comment BuildKit's Dockerfile front end writes on every entry (dockerfile2llb's historyComment); `docker history` shows it. */
const HISTORY_COMMENT = "buildkit.dockerfile.v0";

/** A `# strata:layer` comment line between two instructions asks for a layer boundary. */
const BOUNDARY = LAYER_MARK;

/**
 * Lowers a parsed Dockerfile into the build graph: splits stages, resolves
 * bases, scopes ARGs (a global ARG is seen in a stage only once redeclared),
 * expands words with the stage's environment at that point (ENV wins over
 * ARG), runs the base's ONBUILD triggers right after FROM, and turns each
 * instruction into a step. Every problem is a diagnostic.
 */
export function lowerDockerfile(input: LowerInput): LowerResult {
  return new Lowering(input).run();
}

class Lowering {
  readonly input: LowerInput;
  readonly ex: Expander;
  readonly predefined: Map<string, string>;
  readonly platform: string;
  readonly missing: MissingImage[] = [];
  readonly drafts: StageDraft[] = [];
  globals: Scope;
  /** While a base's ONBUILD triggers are lowered: the FROM instruction that runs them, and the base. */
  trigger: { readonly from: SourceRef; readonly base: string } | undefined;

  constructor(input: LowerInput) {
    this.input = input;
    this.ex = new Expander(input.source.name);
    this.platform = input.platform ?? hostPlatform(process.arch);
    // BUILDPLATFORM is the machine's, whatever the target (a FROM --platform=$BUILDPLATFORM stage runs natively).
    this.predefined = platformArgs(this.platform, hostPlatform(process.arch));
    this.globals = new Scope([], new Map(this.predefined), input.ast.escape);
  }

  get current(): StageDraft | undefined {
    return this.drafts[this.drafts.length - 1];
  }

  run(): LowerResult {
    const { source } = this.input;
    let previousEnd = 0;
    for (const instr of this.input.instructions) {
      const boundary = BOUNDARY.test(source.text.slice(previousEnd, instr.span.start));
      previousEnd = instr.span.end;
      this.instruction(instr, source, this.ex, boundary);
    }
    if (this.drafts.length === 0) this.ex.error("LW003", { span: { start: 0, end: 0 } }, "the Dockerfile has no FROM instruction", "start it with FROM <image>");
    const target = this.target();
    const missingImages = this.missing.filter((m, i) => this.missing.findIndex((n) => n.ref === m.ref) === i);
    const diagnostics = this.ex.diagnostics;
    if (diagnostics.some((d) => d.severity === "error") || target === undefined) return { graph: undefined, diagnostics, missingImages };
    return { graph: { version: 1, stages: this.drafts.map((d) => d.stage), target }, diagnostics, missingImages };
  }

  ref(instr: Instruction, file: SourceFile): SourceRef {
    const source = this.input.sourceOf?.(instr) ?? file;
    const lc = source.lineCol(instr.span.start);
    const text = source.text.slice(instr.span.start, instr.span.end).split(/\r?\n/)[0] ?? "";
    return { file: source.name, line: lc.line, column: lc.column, start: instr.span.start, end: instr.span.end, text };
  }

  instruction(instr: Instruction, source: SourceFile, ex: Expander, boundary: boolean): void {
    if (instr.kind === "FROM") {
      this.from(instr, source, ex);
      return;
    }
    if (instr.kind === "ARG") {
      this.arg(instr, source, ex, boundary);
      return;
    }
    const d = this.current;
    if (d === undefined) {
      ex.error("LW002", instr, `${instr.kind} before the first FROM`, "only ARG may come before FROM");
      return;
    }
    const push = (op: Step["op"], config: ContainerConfig, createdBy: string, author?: string): void => {
      d.stage.steps.push({ sources: [this.ref(instr, source)], createdBy: [createdBy], comment: HISTORY_COMMENT, op, config, ...(author !== undefined && { author }), ...(boundary && { boundary }) });
    };
    const config = lastConfig(d);
    const scope = d.scope.withEnv(config.Env ?? []);
    if (instr.kind === "RUN") {
      const op = lowerRun(instr, config, scope, this.ref(instr, source), ex, this.drafts, this.input.namedContexts);
      for (const m of op.mounts) if (m.from && "image" in m.from) this.need(m.from.image, instr, source, ex);
      push(op, config, runCreatedBy(op.command.args, d.declared.map((k) => [k, scope.lookup(k) ?? ""] as const)));
    } else if (instr.kind === "COPY" || instr.kind === "ADD") {
      const op = lowerCopy(instr, config, scope, ex, this.drafts, this.input.namedContexts);
      if (op.from.type === "image") this.need(op.from.ref, instr, source, ex);
      push(op, config, copyCreatedBy(instr.kind, op, ex.word(instr.dest, scope)));
    } else if (instr.kind === "WORKDIR") {
      const change = applyConfig(instr, config, scope, ex, d.cmdSet) as { config: ContainerConfig; createdBy: string };
      const path = change.config.WorkingDir ?? "/";
      push(path === "/" ? null : { kind: "workdir", path, user: config.User ?? "" }, change.config, change.createdBy);
    } else {
      const change = applyConfig(instr, config, scope, ex, d.cmdSet);
      if (change === undefined) return;
      if (instr.kind === "CMD") d.cmdSet = true;
      push(null, change.config, change.createdBy, change.author);
    }
  }

  /** An image a COPY --from or RUN --mount from= reads: of the stage's platform, as BuildKit asks for it (else LW011). */
  need(ref: string, instr: Instruction, source: SourceFile, ex: Expander): void {
    const platform = this.current?.stage.platform ?? this.platform;
    const img = this.input.resolveImage(ref);
    if (img === undefined) {
      // An ONBUILD trigger's image is blamed on the FROM that ran the trigger (its text is in no file).
      const t = this.trigger;
      if (t === undefined) this.missing.push({ ref, at: this.ref(instr, source), platform });
      else this.missing.push({ ref, at: t.from, platform, trigger: `ONBUILD ${source.text.slice(instr.span.start, instr.span.end)} of ${t.base}` });
    } else if (img.platform !== undefined && !platformMatches(platform, img.platform)) {
      ex.error("LW011", instr, `${instr.kind} reads ${ref}, a ${img.platform} image, into a stage for ${platform}`, `pull its ${platform} image first (strata pull --platform ${platform} ${ref})`);
    }
  }

  arg(instr: Extract<Instruction, { kind: "ARG" }>, source: SourceFile, ex: Expander, boundary: boolean): void {
    const d = this.current;
    const buildArgs = this.input.buildArgs ?? {};
    for (const decl of instr.args) {
      const scope = d ? d.scope.withEnv(lastConfig(d).Env ?? []) : this.globals;
      // The name expands too, as BuildKit's ArgCommand.Expand: `ENV src=file3` then `ARG ${src}=x` declares file3.
      const name = ex.word({ text: decl.name, span: decl.span }, scope);
      // A name that expands to nothing declares nothing (BuildKit takes it; no word can refer to it).
      if (name === "") continue;
      let value: string | undefined = buildArgs[name];
      if (value === undefined && decl.default !== undefined) value = ex.word(decl.default, scope);
      if (value === undefined) value = d ? this.globals.args.get(name) : this.predefined.get(name);
      if (d && !d.declared.includes(name)) d.declared.push(name);
      if (d) d.scope = d.scope.withArg(name, value);
      else this.globals = this.globals.withArg(name, value);
    }
    if (d) {
      // The default as written, never a value it got: a build-arg value is recorded nowhere in the
      // image (specs/reliability/secrets.spec.ts), where BuildKit writes `ARG V=<value>`.
      const text = instr.args.map((a) => (a.default ? `${a.name}=${a.default.text}` : a.name)).join(" ");
      d.stage.steps.push({ sources: [this.ref(instr, source)], createdBy: [`ARG ${text}`], comment: HISTORY_COMMENT, op: null, config: lastConfig(d), ...(boundary && { boundary }) });
    }
  }

  /**
   * A base image whose layers are for another platform than the stage's (a single-platform image
   * the store has, not an index with the stage's platform): a build on its layers would be of its
   * platform, so the config would lie (LW011).
   */
  platformMismatch(instr: FromInstruction, ex: Expander, ref: string, has: string, asked: string | undefined): void {
    if (asked !== undefined && instr.platform) {
      ex.error("LW011", instr.platform, `FROM --platform=${asked}: ${ref} is a ${has} image, and the store has no ${asked} image of it`, `pull its ${asked} image first (strata pull --platform ${asked} ${ref}), or drop --platform`);
    } else {
      ex.error("LW011", instr.image, `${ref} is a ${has} image, and this build is for ${this.platform}`, `FROM --platform=${has} ${ref} builds for ${has} (a RUN then needs an emulator for it, such as qemu-user-static), or use a ${this.platform} image`);
    }
  }

  from(instr: FromInstruction, source: SourceFile, ex: Expander): void {
    const written = ex.word(instr.image, this.globals);
    // A named build context overrides a stage or image of that name, as in BuildKit.
    const named = this.input.namedContexts?.[written.toLowerCase()];
    const imageRef = named?.type === "image" ? named.ref : named?.type === "local" ? "scratch" : written;
    const name = instr.stageName ? instr.stageName.text.toLowerCase() : undefined;
    const asked = instr.platform ? ex.word(instr.platform, this.globals) : undefined;
    let platform = asked ?? this.platform;
    let base: StageBase;
    let config: ContainerConfig = {};
    const byName = named === undefined ? this.drafts.find((d) => d.names.includes(imageRef.toLowerCase())) : undefined;
    if (byName) {
      base = { type: "stage", stage: byName.index };
      config = lastConfig(byName);
      // The stage's layers are its base stage's: so is its platform.
      if (asked !== undefined && instr.platform && !platformMatches(asked, byName.stage.platform)) {
        ex.error("LW011", instr.platform, `FROM --platform=${asked}: stage ${imageRef} is built for ${byName.stage.platform}`, "drop --platform: a stage built on another stage has that stage's layers and platform");
      }
      platform = byName.stage.platform;
    } else if (imageRef === "scratch") {
      base = { type: "scratch" };
    } else if (imageRef === "") {
      // BuildKit's words (dockerfile2llb): a blank base is an error of the Dockerfile, not a pull.
      ex.error("LW007", instr.image, `base name (${instr.image.text}) should not be blank`, "give the ARG a default, or pass it with --build-arg");
      base = { type: "scratch" };
    } else {
      // One spelling per image (docker.io/debian:9.11 is debian:9.11): what is resolved, keyed and shown.
      const ref = canonicalImageRef(imageRef);
      const img = this.input.resolveImage(ref);
      if (img === undefined) this.missing.push({ ref, at: this.ref(instr, source), platform });
      else if (img.platform !== undefined && !platformMatches(platform, img.platform)) this.platformMismatch(instr, ex, imageRef, img.platform, asked);
      base = { type: "image", ref, digest: img?.digest ?? "" };
      config = img?.config ?? {};
    }
    const triggers = config.OnBuild ?? [];
    const env = config.Env ?? [];
    const withPath = envLookup(env, "PATH") === undefined ? envSet(env, "PATH", DEFAULT_PATH) : env;
    const index = this.drafts.length;
    const stage: Stage = { index, base, platform, source: this.ref(instr, source), steps: [], baseConfig: { ...config, Env: withPath, OnBuild: null }, ...(name !== undefined && { name }) };
    if (named?.type === "local") {
      // The directory is the stage's root (BuildKit's llb.Local): one layer, no image config. Its
      // history is what BuildKit's exporter writes for a layer without one: the ref's description.
      const context = written.toLowerCase();
      stage.context = context;
      stage.steps.push({ sources: [stage.source], createdBy: [`local source for ${context}`], comment: "buildkit.exporter.image.v0", op: contextRootOp(context), config: stage.baseConfig });
    }
    // Proxy ARGs given with --build-arg reach RUN without an ARG line (kept out of keys and history).
    const proxies = new Map(Object.entries(this.input.buildArgs ?? {}).filter(([k]) => PROXY_ARGS.has(k)));
    this.drafts.push({ stage, names: name !== undefined ? [name] : [], index, scope: new Scope(withPath, proxies, this.input.ast.escape), declared: [], cmdSet: false });
    if (triggers.length > 0) {
      this.trigger = { from: this.ref(instr, source), base: imageRef };
      this.onbuild(triggers, imageRef, ex);
      this.trigger = undefined;
    }
  }

  /** Runs the base's ONBUILD triggers as if they stood right after FROM. */
  onbuild(triggers: readonly string[], imageRef: string, ex: Expander): void {
    const source = new SourceFile(`${imageRef} (ONBUILD)`, triggers.join("\n"));
    const parsed = parseDockerfile(source);
    const tex = ex.forFile(source.name);
    tex.diagnostics.push(...parsed.diagnostics);
    for (const t of parsed.instructions) {
      if (t.kind === "FROM" || t.kind === "ONBUILD" || t.kind === "MAINTAINER") {
        tex.error("LW006", t, `${t.kind} is not allowed as an ONBUILD trigger`);
        continue;
      }
      this.instruction(t, source, tex, false);
    }
  }

  target(): number | undefined {
    const { target } = this.input;
    if (this.drafts.length === 0) return undefined;
    if (target === undefined) return this.drafts.length - 1;
    const found = this.drafts.find((d) => d.names.includes(target.toLowerCase())) ?? (/^\d+$/.test(target) ? this.drafts[Number(target)] : undefined);
    if (found) return found.index;
    const names = this.drafts.flatMap((d) => d.names);
    this.ex.error("LW004", { span: { start: 0, end: 0 } }, `target stage "${target}" could not be found`, names.length ? `stages: ${names.join(", ")}` : "the Dockerfile names no stages (FROM image AS name)");
    return undefined;
  }
}

function lastConfig(d: StageDraft): ContainerConfig {
  const steps = d.stage.steps;
  return steps.length > 0 ? (steps[steps.length - 1] as Step).config : d.stage.baseConfig;
}
