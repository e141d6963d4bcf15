/**
 * image.ts → build graph. The evaluated exports are chains of recorded
 * builder calls (stdlib/record.ts); each chain a target needs becomes a stage
 * and each call the typed Dockerfile instruction it stands for, with spans
 * into image.ts. Those instructions then go through the Dockerfile lowering
 * itself (compiler/lower/dockerfile.ts): the same ARG scoping, expansion,
 * config changes, history wording and ops, so an image.ts and its equivalent
 * Dockerfile give the same graph and the same cache keys. The first half,
 * calls → instructions (`imageTsInstructions`; one call: instructions.ts), is
 * also what `strata check` lints (lint.ts).
 *
 * Stages: every image value that is exported, or used as a base, a COPY
 * source or a mount source, is a stage with its whole chain from `from()`;
 * values that share a prefix repeat it (same ops, same keys, built once).
 * An exported value's stage is named after its export (`--target NAME`); the
 * default export is the default target.
 */
import type { NamedContexts } from "../lower/ops.ts";
import type { CallRecord, CallSite, GlobalArgRecord, ImageNode } from "../../stdlib/record.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { DockerfileAst, Instruction, Node, Word } from "../dockerfile/ast.ts";
import type { BuildGraph } from "../ir/graph.ts";
import { type BaseImage, type LowerResult, lowerDockerfile } from "../lower/dockerfile.ts";
import type { SourceFile } from "../source/source-file.ts";
import type { Span } from "../source/span.ts";
import { callEnd } from "./call-span.ts";
import { syntheticNode, toInstruction } from "./instructions.ts";
import { literalWord } from "./words.ts";

/** Where a call was made: the source file and the offset of the call in it. */
export interface Located {
  readonly source: SourceFile;
  readonly offset: number;
}

/** An evaluated image.ts: what its builder calls recorded. */
export interface ImageTsCalls {
  /** The entry image.ts (diagnostics without a better place point at its start). */
  readonly source: SourceFile;
  /** The module's exports that are images, in declaration order; "default" is the default target. */
  readonly exports: readonly (readonly [string, ImageNode])[];
  readonly globals: readonly GlobalArgRecord[];
  /** Maps a call's raw stack frames to image.ts (or a module it imports); undefined when unknown. */
  readonly locate: (site: CallSite) => Located | undefined;
  /** Export name (a stage name) or stage index; default the default export. */
  readonly target?: string | undefined;
}

export interface ImageTsInput extends ImageTsCalls {
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly platform?: string;
  readonly resolveImage: (ref: string) => BaseImage | undefined;
  /** `--build-context NAME=…`, as for a Dockerfile (lower/ops.ts). */
  readonly namedContexts?: NamedContexts;
}

/** Names given to stages no export names (FROM needs a name); removed from the graph afterwards. */
const SYNTHETIC = "strata-imagets-stage-";

interface StagePlan {
  readonly tip: ImageNode;
  readonly root: ImageNode;
  readonly calls: readonly ImageNode[];
  name: string | undefined;
  index: number;
}

/** The builder calls of an image.ts as the typed instructions they stand for: what the lowering and the lint rules read. */
export interface ImageTsInstructions {
  /** Global ARGs, then each stage's FROM and calls, stages in dependency order. */
  readonly instructions: readonly Instruction[];
  /** The file an instruction's spans point into (image.ts or a module it imports). */
  readonly sourceOf: (i: Instruction) => SourceFile | undefined;
  /** The target stage (its index, or the name given). */
  readonly target: string;
  /** Problems of the calls themselves (TS001), with the call's place. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Lowers evaluated image.ts exports to the build graph. */
export function lowerImageTs(input: ImageTsInput): LowerResult {
  const calls = imageTsInstructions(input);
  const { instructions, sourceOf, target } = calls;
  const boundaries = new Set(instructions.flatMap((i) => (i.kind === "RUN" && i.newLayer ? [`${sourceOf(i)?.name}:${i.span.start}`] : [])));
  const ast: DockerfileAst = { file: input.source.name, escape: "\\", directives: [], nodes: [] };
  const lowered = lowerDockerfile({
    source: input.source,
    ast,
    instructions,
    sourceOf,
    buildArgs: input.buildArgs ?? {},
    target,
    ...(input.platform !== undefined && { platform: input.platform }),
    resolveImage: input.resolveImage,
    ...(input.namedContexts !== undefined && { namedContexts: input.namedContexts }),
  });
  const graph: BuildGraph | undefined = lowered.graph && {
    ...lowered.graph,
    stages: lowered.graph.stages.map((s) => ({
      ...(s.name?.startsWith(SYNTHETIC) ? withoutName(s) : s),
      steps: s.steps.map((st) => (st.sources.some((r) => boundaries.has(`${r.file}:${r.start}`)) ? { ...st, boundary: true } : st)),
    })),
  };
  const all = [...calls.diagnostics, ...lowered.diagnostics];
  return { graph: all.some((d) => d.severity === "error") ? undefined : graph, diagnostics: all, missingImages: lowered.missingImages };
}

/** The typed instructions of an image.ts's calls, spans into the files that made them (see the header). */
export function imageTsInstructions(input: ImageTsCalls): ImageTsInstructions {
  const diagnostics: Diagnostic[] = [];
  const error = (message: string, span: Span, hint?: string, file = input.source.name): void => {
    diagnostics.push({ code: "TS001", severity: "error", message, file, span, hint });
  };
  if (input.exports.length === 0) {
    error("image.ts exports no image", { start: 0, end: 0 }, "export default from(...)...; named exports are more targets");
    return { instructions: [], sourceOf: () => undefined, target: "0", diagnostics };
  }

  // Stages in dependency order.
  const stages = new Map<ImageNode, StagePlan>();
  const order: StagePlan[] = [];
  const visit = (tip: ImageNode, depth: number): StagePlan => {
    const known = stages.get(tip);
    if (known) return known;
    if (depth > 1000) throw new Error("internal: image.ts stages nest too deep");
    const calls: ImageNode[] = [];
    let n: ImageNode = tip;
    while (n.parent !== undefined) {
      calls.unshift(n);
      n = n.parent;
    }
    const plan: StagePlan = { tip, root: n, calls, name: undefined, index: -1 };
    stages.set(tip, plan);
    if (typeof n.base?.image === "object") visit(n.base.image, depth + 1);
    for (const c of calls) for (const dep of callDeps(c.call)) visit(dep, depth + 1);
    plan.index = order.length;
    order.push(plan);
    return plan;
  };
  for (const [name, node] of input.exports) {
    const plan = visit(node, 0);
    if (name !== "default" && plan.name === undefined) plan.name = name.toLowerCase();
  }
  const defaultExport = input.exports.find(([n]) => n === "default");
  // Stages in the order they are written (a module's exports come sorted by name), dependencies first.
  const position = (site: CallSite): [string, number] => {
    const at = input.locate(site);
    return at === undefined ? ["", 0] : [at.source === input.source ? "" : at.source.name, at.offset];
  };
  const rank = new Map(order.map((p) => [p, [...position(p.root.site), ...position(p.tip.site)] as const]));
  const before = (a: StagePlan, b: StagePlan): number => {
    const x = rank.get(a) as readonly [string, number, string, number];
    const y = rank.get(b) as readonly [string, number, string, number];
    return x[0].localeCompare(y[0]) || x[1] - y[1] || x[2].localeCompare(y[2]) || x[3] - y[3];
  };
  const deps = (p: StagePlan): StagePlan[] => {
    const out: ImageNode[] = [];
    if (typeof p.root.base?.image === "object") out.push(p.root.base.image);
    for (const c of p.calls) out.push(...callDeps(c.call));
    return out.map((n) => stages.get(n) as StagePlan);
  };
  const sorted: StagePlan[] = [];
  const pending = new Set(order);
  while (pending.size > 0) {
    const ready = [...pending].filter((p) => deps(p).every((d) => !pending.has(d))).sort(before)[0] as StagePlan;
    pending.delete(ready);
    ready.index = sorted.length;
    sorted.push(ready);
  }
  order.splice(0, order.length, ...sorted);
  for (const p of order) p.name ??= `${SYNTHETIC}${p.index}`;

  // Instructions, spans into image.ts.
  const instructions: Instruction[] = [];
  const sources = new Map<Instruction, SourceFile>();
  const place = (site: CallSite): { source: SourceFile; span: Span } => {
    const at = input.locate(site);
    if (at === undefined) return { source: input.source, span: { start: 0, end: 0 } };
    const lc = at.source.lineCol(at.offset);
    const starts = at.source.lineStarts;
    const next = starts[lc.line];
    let end = next === undefined ? at.source.text.length : next;
    while (end > at.offset && /[\r\n]/.test(at.source.text[end - 1] ?? "")) end--;
    return { source: at.source, span: { start: at.offset, end: callEnd(at.source.text, at.offset, end) } };
  };
  const push = (site: CallSite, build: (span: Span, node: Node, file: string) => Instruction | undefined): Instruction | undefined => {
    const { source, span } = place(site);
    const built = build(span, syntheticNode(span), source.name);
    if (built === undefined) return undefined;
    // The node names its instruction, as a Dockerfile's does (node-based lint rules read it).
    const instr = { ...built, node: { ...built.node, keyword: built.kind.toLowerCase(), keywordText: built.kind } } as Instruction;
    instructions.push(instr);
    sources.set(instr, source);
    return instr;
  };
  const word = (text: string, span: Span): Word => ({ text: literalWord(text), span });
  const stageRef = (from: string | ImageNode | undefined, span: Span): Word | undefined => {
    if (from === undefined) return undefined;
    if (typeof from === "string") return word(from, span);
    return { text: String(stages.get(from)?.index ?? -1), span };
  };

  for (const g of input.globals) {
    push(g.site, (span, node) => ({ kind: "ARG", node, span, args: [{ name: g.name, default: g.default === undefined ? undefined : word(g.default, span), span }] }));
  }
  for (const plan of order) {
    const base = plan.root.base ?? { image: "scratch" };
    push(plan.root.site, (span, node) => {
      const image = typeof base.image === "string" ? word(base.image, span) : { text: stages.get(base.image)?.name ?? "", span };
      return { kind: "FROM", node, span, image, stageName: plan.name === undefined ? undefined : { text: plan.name, span }, platform: base.platform === undefined ? undefined : word(base.platform, span) };
    });
    for (const c of plan.calls) {
      const call = c.call;
      if (call === undefined) continue;
      push(c.site, (span, node, file) => toInstruction(call, span, node, { ctx: { file, diagnostics }, word, stageRef, error: (m, h) => error(m, span, h, file) }));
    }
  }

  let target = input.target;
  if (target === undefined) {
    const tip = (defaultExport ?? input.exports[input.exports.length - 1])?.[1];
    target = String(tip ? (stages.get(tip)?.index ?? 0) : 0);
  }
  return { instructions, sourceOf: (i) => sources.get(i), target, diagnostics };
}

function withoutName<T extends { name?: string | undefined }>(s: T): T {
  const { name: _name, ...rest } = s;
  return rest as T;
}

/** The image values a call reads from (COPY --from, mounts from). */
function callDeps(call: CallRecord | undefined): ImageNode[] {
  if (call === undefined) return [];
  if ((call.op === "copy" || call.op === "add") && typeof call.from === "object") return [call.from];
  if (call.op === "run") return call.mounts.flatMap((m) => (typeof m.from === "object" ? [m.from] : []));
  return [];
}

