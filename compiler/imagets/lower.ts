/**
 * image.ts → build graph. The evaluated exports are chains of recorded
 * builder calls (stdlib/record.ts); each chain a target needs becomes a stage
 * and each call the typed Dockerfile instruction it stands for, with spans
 * into image.ts. Those instructions then go through the Dockerfile lowering
 * itself (compiler/lower/dockerfile.ts): the same ARG scoping, expansion,
 * config changes, history wording and ops, so an image.ts and its equivalent
 * Dockerfile give the same graph and the same cache keys.
 *
 * Stages: every image value that is exported, or used as a base, a COPY
 * source or a mount source, is a stage with its whole chain from `from()`;
 * values that share a prefix repeat it (same ops, same keys, built once).
 * An exported value's stage is named after its export (`--target NAME`); the
 * default export is the default target.
 */
import type { CallRecord, CallSite, CommandRecord, GlobalArgRecord, HeredocRecord, ImageNode, MountRecord } from "../../stdlib/record.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { CommandLine, DockerfileAst, Heredoc, Instruction, Node, Word } from "../dockerfile/ast.ts";
import type { TypeContext } from "../dockerfile/instructions/context.ts";
import { parseGoDuration } from "../dockerfile/instructions/duration.ts";
import { parseMount } from "../dockerfile/instructions/mount.ts";
import { parseDockerfile } from "../dockerfile/parse.ts";
import type { BuildGraph } from "../ir/graph.ts";
import { type BaseImage, type LowerResult, lowerDockerfile } from "../lower/dockerfile.ts";
import { SourceFile } from "../source/source-file.ts";
import type { Span } from "../source/span.ts";
import { literalWord } from "./words.ts";

/** Where a call was made: the source file and the offset of the call in it. */
export interface Located {
  readonly source: SourceFile;
  readonly offset: number;
}

export interface ImageTsInput {
  /** The entry image.ts (diagnostics without a better place point at its start). */
  readonly source: SourceFile;
  /** The module's exports that are images, in declaration order; "default" is the default target. */
  readonly exports: readonly (readonly [string, ImageNode])[];
  readonly globals: readonly GlobalArgRecord[];
  /** Maps a call's raw stack frames to image.ts (or a module it imports); undefined when unknown. */
  readonly locate: (site: CallSite) => Located | undefined;
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** Export name (a stage name) or stage index; default the default export. */
  readonly target?: string | undefined;
  readonly platform?: string;
  readonly resolveImage: (ref: string) => BaseImage | undefined;
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

/** Lowers evaluated image.ts exports to the build graph. */
export function lowerImageTs(input: ImageTsInput): LowerResult {
  const diagnostics: Diagnostic[] = [];
  const error = (message: string, span: Span, hint?: string, file = input.source.name): void => {
    diagnostics.push({ code: "TS001", severity: "error", message, file, span, hint });
  };
  if (input.exports.length === 0) {
    error("image.ts exports no image", { start: 0, end: 0 }, "export default from(...)...; named exports are more targets");
    return { graph: undefined, diagnostics, missingImages: [] };
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
  /** `file:start` of RUNs that asked for a new layer (`newLayer`), marked as boundaries after lowering. */
  const boundaries = new Set<string>();
  const place = (site: CallSite): { source: SourceFile; span: Span } => {
    const at = input.locate(site);
    if (at === undefined) return { source: input.source, span: { start: 0, end: 0 } };
    const lc = at.source.lineCol(at.offset);
    const starts = at.source.lineStarts;
    const next = starts[lc.line];
    let end = next === undefined ? at.source.text.length : next;
    while (end > at.offset && /[\r\n]/.test(at.source.text[end - 1] ?? "")) end--;
    return { source: at.source, span: { start: at.offset, end } };
  };
  const push = (site: CallSite, build: (span: Span, node: Node, file: string) => Instruction | undefined): Instruction | undefined => {
    const { source, span } = place(site);
    const instr = build(span, syntheticNode(span), source.name);
    if (instr === undefined) return undefined;
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
      const instr = push(c.site, (span, node, file) => toInstruction(call, span, node, { ctx: { file, diagnostics }, word, stageRef, error: (m, h) => error(m, span, h, file) }));
      if (instr !== undefined && call.op === "run" && call.newLayer) boundaries.add(`${sources.get(instr)?.name}:${instr.span.start}`);
    }
  }

  let target = input.target;
  if (target === undefined) {
    const tip = (defaultExport ?? input.exports[input.exports.length - 1])?.[1];
    target = String(tip ? (stages.get(tip)?.index ?? 0) : 0);
  }
  const ast: DockerfileAst = { file: input.source.name, escape: "\\", directives: [], nodes: [] };
  const lowered = lowerDockerfile({
    source: input.source,
    ast,
    instructions,
    sourceOf: (i) => sources.get(i),
    buildArgs: input.buildArgs ?? {},
    target,
    ...(input.platform !== undefined && { platform: input.platform }),
    resolveImage: input.resolveImage,
  });
  const graph: BuildGraph | undefined = lowered.graph && {
    ...lowered.graph,
    stages: lowered.graph.stages.map((s) => ({
      ...(s.name?.startsWith(SYNTHETIC) ? withoutName(s) : s),
      steps: s.steps.map((st) => (st.sources.some((r) => boundaries.has(`${r.file}:${r.start}`)) ? { ...st, boundary: true } : st)),
    })),
  };
  const all = [...diagnostics, ...lowered.diagnostics];
  return { graph: all.some((d) => d.severity === "error") ? undefined : graph, diagnostics: all, missingImages: lowered.missingImages };
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

function syntheticNode(span: Span): Node {
  const empty: Word = { text: "", span };
  return { keyword: "", keywordText: "", keywordSpan: span, flags: [], values: [], json: false, rest: empty, heredocs: [], next: undefined, span };
}

function commandLine(c: CommandRecord): CommandLine {
  return c.form === "exec" ? { form: "exec", args: [...c.args] } : { form: "shell", script: c.script };
}

function heredocs(list: readonly HeredocRecord[], span: Span): Heredoc[] {
  return list.map((h) => ({ name: h.name, expand: h.expand, chomp: false, fd: undefined, content: h.content, span }));
}

/** A mount record as the text of RUN --mount, so the Dockerfile's own parser applies its checks and per-type defaults. */
function mountText(m: MountRecord, from: (f: string | ImageNode) => string | undefined): string {
  const fields: string[] = [`type=${m.type}`];
  const put = (k: string, v: string | number | boolean | undefined): void => {
    if (v !== undefined) fields.push(`"${k}=${String(v).replace(/"/g, '""')}"`);
  };
  put("target", m.target === undefined ? undefined : literalWord(m.target));
  put("source", m.source === undefined ? undefined : literalWord(m.source));
  put("from", m.from === undefined ? undefined : from(m.from));
  put("readonly", m.readonly);
  put("id", m.id === undefined ? undefined : literalWord(m.id));
  put("sharing", m.sharing);
  put("mode", m.mode === undefined ? undefined : `0${m.mode.toString(8)}`);
  put("uid", m.uid);
  put("gid", m.gid);
  put("required", m.required);
  put("env", m.env);
  put("size", m.size);
  return fields.join(",");
}

interface Helpers {
  readonly ctx: TypeContext;
  readonly word: (text: string, span: Span) => Word;
  readonly stageRef: (from: string | ImageNode | undefined, span: Span) => Word | undefined;
  readonly error: (message: string, hint?: string) => void;
}

/** One recorded call as the typed instruction it stands for. */
function toInstruction(call: CallRecord, span: Span, node: Node, h: Helpers): Instruction | undefined {
  const { word } = h;
  const opt = (v: string | undefined): Word | undefined => (v === undefined ? undefined : word(v, span));
  switch (call.op) {
    case "run":
      return {
        kind: "RUN",
        node,
        span,
        command: commandLine(call.command),
        heredocs: heredocs(call.heredocs, span),
        mounts: call.mounts.flatMap((m) => {
          const spec = parseMount(h.ctx, { text: mountText(m, (f) => h.stageRef(f, span)?.text), span });
          return spec === undefined ? [] : [spec];
        }),
        network: call.network,
        security: call.security,
      };
    case "copy":
    case "add": {
      const sources = [...call.sources.map((s) => word(s, span)), ...call.heredocs.map((d) => ({ text: `<<${d.name}`, span }))];
      if (sources.length === 0) h.error(`${call.op}() needs at least one source`);
      const common = {
        node,
        span,
        sources,
        dest: word(call.dest, span),
        chown: opt(call.chown),
        chmod: opt(call.chmod),
        link: call.link,
        exclude: call.exclude.map((e) => word(e, span)),
        heredocs: heredocs(call.heredocs, span),
      };
      if (call.op === "copy") return { kind: "COPY", ...common, from: h.stageRef(call.from, span), parents: call.parents };
      return { kind: "ADD", ...common, checksum: opt(call.checksum), keepGitDir: call.keepGitDir, unpack: call.unpack };
    }
    case "env":
      return { kind: "ENV", node, span, pairs: call.vars.map(([k, v]) => ({ key: k, value: word(v, span), span, legacy: false })) };
    case "label":
      return { kind: "LABEL", node, span, pairs: call.labels.map(([k, v]) => ({ key: literalWord(k), value: word(v, span), span, legacy: false })) };
    case "arg":
      return { kind: "ARG", node, span, args: [{ name: call.name, default: opt(call.default), span }] };
    case "workdir":
      return { kind: "WORKDIR", node, span, path: word(call.path, span) };
    case "user":
      return { kind: "USER", node, span, user: word(call.user, span) };
    case "expose":
      return { kind: "EXPOSE", node, span, ports: call.ports.map((p) => word(p, span)) };
    case "volume":
      return { kind: "VOLUME", node, span, paths: call.paths.map((p) => word(p, span)) };
    case "entrypoint":
      return { kind: "ENTRYPOINT", node, span, command: commandLine(call.command) };
    case "cmd":
      return { kind: "CMD", node, span, command: commandLine(call.command) };
    case "shell":
      return { kind: "SHELL", node, span, args: [...call.args] };
    case "stopsignal":
      return { kind: "STOPSIGNAL", node, span, signal: word(call.signal, span) };
    case "healthcheck": {
      const dur = (name: string, v: string | undefined): number | undefined => {
        if (v === undefined) return undefined;
        const ns = parseGoDuration(v);
        if (ns === undefined || ns < 1e6) h.error(`invalid ${name} duration "${v}"`, "use a Go duration of at least 1ms, such as 30s, 1m30s or 500ms");
        return ns;
      };
      return {
        kind: "HEALTHCHECK",
        node,
        span,
        command: call.command === undefined ? undefined : commandLine(call.command),
        interval: dur("interval", call.interval),
        timeout: dur("timeout", call.timeout),
        startPeriod: dur("startPeriod", call.startPeriod),
        startInterval: dur("startInterval", call.startInterval),
        retries: call.retries,
      };
    }
    case "maintainer":
      return { kind: "MAINTAINER", node, span, name: call.name };
    case "onbuild": {
      const parsed = parseDockerfile(new SourceFile("ONBUILD", call.expression));
      const trigger = parsed.instructions[0];
      const bad = parsed.diagnostics.find((d) => d.severity === "error");
      if (trigger === undefined || bad !== undefined || parsed.instructions.length !== 1) {
        h.error(`onbuild(${JSON.stringify(call.expression)}): ${bad?.message ?? "expected one Dockerfile instruction"}`);
        return undefined;
      }
      return { kind: "ONBUILD", node, span, expression: call.expression, trigger };
    }
  }
}
