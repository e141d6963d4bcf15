/**
 * One recorded image.ts builder call → the typed Dockerfile instruction it
 * stands for, every word spanning the call. Values the Dockerfile would
 * reject are rejected here, at the call (TS001), when they are literal: a
 * `$VAR` value is checked by the lowering once expanded.
 */
import type { CallRecord, CommandRecord, HeredocRecord, ImageNode, MountRecord } from "../../stdlib/record.ts";
import type { CommandLine, Heredoc, Instruction, Node, Word } from "../dockerfile/ast.ts";
import type { TypeContext } from "../dockerfile/instructions/context.ts";
import { parseGoDuration } from "../dockerfile/instructions/duration.ts";
import { parseMount } from "../dockerfile/instructions/mount.ts";
import { parseDockerfile } from "../dockerfile/parse.ts";
import { type Checked, parseChmod, parseExposePort, parseStopSignal } from "../ir/config-values.ts";
import { SourceFile } from "../source/source-file.ts";
import type { Span } from "../source/span.ts";
import { literalWord } from "./words.ts";

export function syntheticNode(span: Span): Node {
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

export interface Helpers {
  readonly ctx: TypeContext;
  readonly word: (text: string, span: Span) => Word;
  readonly stageRef: (from: string | ImageNode | undefined, span: Span) => Word | undefined;
  readonly error: (message: string, hint?: string) => void;
}

/**
 * What is wrong with a literal value of a call that BuildKit rejects
 * (compiler/ir/config-values.ts, the Dockerfile lowering's own checks), with
 * what to write instead. A value with a `$` reference is left to the
 * lowering, which checks it once expanded.
 */
function invalidValue(call: CallRecord): { message: string; hint: string } | undefined {
  const literal = (v: string | undefined): v is string => v !== undefined && !v.includes("$");
  const first = <T>(values: readonly string[], parse: (v: string) => Checked<T>): string | undefined => {
    for (const v of values.filter(literal)) {
      const r = parse(v);
      if (!r.ok) return r.message;
    }
    return undefined;
  };
  const problem = (message: string | undefined, hint: string) => (message === undefined ? undefined : { message, hint });
  switch (call.op) {
    case "copy":
    case "add":
      return problem(first(call.chmod === undefined ? [] : [call.chmod], parseChmod), "chmod takes an octal mode up to 07777 (\"0755\", \"4755\") or a symbolic one (\"u+x\", \"go=rX\")");
    case "expose":
      return problem(first(call.ports, parseExposePort), "a port is 0-65535, optionally with /tcp, /udp or /sctp, or a range such as \"8000-8010/udp\"");
    case "stopsignal":
      return problem(first([call.signal], parseStopSignal), "use a signal name such as \"SIGTERM\" or \"SIGQUIT\", or a non-zero number");
    default:
      return undefined;
  }
}

/** One recorded call as the typed instruction it stands for; undefined (with a TS001 error) when it cannot be one. */
export function toInstruction(call: CallRecord, span: Span, node: Node, h: Helpers): Instruction | undefined {
  const { word } = h;
  const invalid = invalidValue(call);
  if (invalid !== undefined) {
    h.error(`${call.op === "stopsignal" ? "stopSignal" : call.op}(): ${invalid.message}`, invalid.hint);
    return undefined;
  }
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
        ...(call.newLayer === true && { newLayer: true }),
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
