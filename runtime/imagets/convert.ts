/**
 * Dockerfile → idiomatic image.ts (`strata convert`). Each stage becomes a
 * named constant built by a chain of calls; named stages are named exports
 * (their stage names, so `--target` keeps working), the last stage the
 * default export; comments stay above the call they preceded. Words keep
 * their `$VAR` references (strata expands them the same way), quotes and
 * escapes are resolved. The text is formatted by ts-morph.
 *
 * It reads as a person would write it: a continued shell command is a
 * multi-line `sh` template with the Dockerfile's line breaks
 * (convert-script.ts), adjacent ENVs are one `.env({...})` and a global ARG
 * that only names a base is `from(arg(...))` (convert-merge.ts, which says
 * when these apply), MAINTAINER is `.maintainer()`.
 *
 * The result lowers to the same layers, cache keys and image config as the
 * Dockerfile; only the history may have one ENV entry where the Dockerfile
 * had several (specs/imagets/convert.spec.ts checks every Dockerfile of the
 * repository and of BuildKit's parser suite).
 */
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import type { ArgDecl, CommandLine, DockerfileAst, Instruction, KeyValue, MountFlag, MountSpec, Word } from "../../compiler/dockerfile/ast.ts";
import { typeMount } from "../../compiler/dockerfile/instructions/mount.ts";
import { parseDockerfile } from "../../compiler/dockerfile/parse.ts";
import { LAYER_MARK } from "../../compiler/dockerfile/strata-directives.ts";
import { wordToString } from "../../compiler/imagets/words.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import { baseArgs, canJoinEnv } from "./convert-merge.ts";
import { scriptTemplate } from "./convert-script.ts";
import { STDLIB_IMPORT } from "./import-name.ts";

export interface ConvertResult {
  /** The image.ts text; undefined when the Dockerfile has errors or cannot be expressed. */
  readonly text: string | undefined;
  readonly source: SourceFile;
  readonly diagnostics: readonly Diagnostic[];
}

const RESERVED = new Set(
  "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arg from heredoc sh scratch Image".split(" "),
);

/** A string literal: double quotes, or single quotes when that saves escaping. */
const q = (s: string): string => (s.includes('"') && !s.includes("'") ? `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"')}'` : JSON.stringify(s));
/** The first words of docker's healthcheck test form, which `healthcheck()` reads as such. */
const TEST_FORM = new Set(["CMD", "CMD-SHELL", "NONE"]);
const IDENT = /^[A-Za-z_$][\w$]*$/;
const key = (s: string): string => (IDENT.test(s) ? s : q(s));

/** An object literal: on one line, or one property a line (trailing commas) when that line would be long. */
function object(props: readonly string[]): string {
  const one = `{ ${props.join(", ")} }`;
  return one.length <= 72 || props.length < 2 ? one : `{\n${props.map((p) => `${p},\n`).join("")}}`;
}

function camel(name: string): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter((p) => p !== "");
  let id = parts.map((p, i) => (i === 0 ? p : p[0]?.toUpperCase() + p.slice(1))).join("");
  if (!/^[A-Za-z_$]/.test(id)) id = `stage${id}`;
  return RESERVED.has(id) ? `${id}Stage` : id;
}

/** Nanoseconds as a Go duration string ("30s", "1m30s"). */
function duration(ns: number): string {
  const units: [string, number][] = [
    ["h", 3600e9],
    ["m", 60e9],
    ["s", 1e9],
    ["ms", 1e6],
    ["us", 1e3],
    ["ns", 1],
  ];
  if (ns === 0) return "0s";
  let rest = ns;
  let out = "";
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${u}`;
      rest -= n * size;
    }
  }
  return out;
}

class Converter {
  readonly source: SourceFile;
  readonly ast: DockerfileAst;
  readonly diagnostics: Diagnostic[] = [];
  /** Stage identifiers by index, and lower-cased stage names to indexes. */
  readonly idents: string[] = [];
  readonly names = new Map<string, number>();
  readonly imports = new Set<string>(["from"]);
  /** Whether a `# strata:layer` comment stands before the current instruction. */
  boundary = false;
  /** Comment lines inside the current instruction's continuation, written above its call. */
  innerComments: string[] = [];

  constructor(source: SourceFile, ast: DockerfileAst) {
    this.source = source;
    this.ast = ast;
  }

  str(w: Word | string): string {
    const raw = typeof w === "string" ? w : w.text;
    const s = wordToString(raw, this.ast.escape);
    if (s === undefined) {
      this.diagnostics.push({ code: "CV001", severity: "error", message: `cannot write the word ${raw} as an image.ts string`, file: this.source.name, span: typeof w === "string" ? { start: 0, end: 0 } : w.span, hint: "simplify its quoting" });
      return q(raw);
    }
    return q(s);
  }

  /** A command: an argv array, a multi-line `sh` template for a continued script (its inner comments kept), else a string. */
  command(c: CommandLine, i: Instruction): string {
    if (c.form === "exec") return `[${c.args.map(q).join(", ")}]`;
    const t = scriptTemplate(this.source.text.slice(i.span.start, i.span.end), c.script, this.ast.escape);
    if (t === undefined) return q(c.script);
    this.imports.add("sh");
    this.innerComments.push(...t.comments);
    return t.template;
  }

  /** A --from value: a stage identifier (by name or index) or an image reference. */
  fromRef(raw: string): string {
    const byName = this.names.get(raw.toLowerCase());
    if (byName !== undefined) return this.idents[byName] as string;
    if (/^\d+$/.test(raw) && Number(raw) < this.idents.length) return this.idents[Number(raw)] as string;
    return this.str(raw);
  }

  options(entries: (readonly [string, string | undefined])[]): string {
    const set = entries.filter((e): e is [string, string] => e[1] !== undefined);
    return set.length === 0 ? "" : object(set.map(([k, v]) => `${k}: ${v}`));
  }

  /** A --mount flag; one whose typed options (type, readonly, mode …) name variables has no image.ts form. */
  mount(flag: MountFlag): string {
    const m: MountSpec | undefined =
      flag.literal ??
      typeMount(flag.fields, flag.span, (message) => {
        this.diagnostics.push({ code: "CV001", severity: "error", message: `cannot write this --mount as image.ts options: ${message}`, file: this.source.name, span: flag.span, hint: "give the option a literal value" });
      });
    if (m === undefined) return "{}";
    const o: [string, string | undefined][] = [
      ["type", q(m.type)],
      ["target", m.target === undefined ? undefined : this.str(m.target)],
      ["source", m.source === undefined ? undefined : this.str(m.source)],
      ["from", m.from === undefined ? undefined : this.fromRef(m.from)],
      ["readonly", m.readonly === (m.type === "bind") ? undefined : String(m.readonly)],
      ["id", m.id === undefined || (m.type === "cache" && m.id === m.target) || (m.type === "ssh" && m.id === "default") ? undefined : this.str(m.id)],
      ["sharing", m.sharing === undefined ? undefined : q(m.sharing)],
      ["mode", m.mode === undefined ? undefined : `0o${m.mode.toString(8)}`],
      ["uid", m.uid === undefined ? undefined : String(m.uid)],
      ["gid", m.gid === undefined ? undefined : String(m.gid)],
      ["required", m.required === undefined ? undefined : String(m.required)],
      ["env", m.env === undefined ? undefined : q(m.env)],
      ["size", m.size === undefined ? undefined : String(m.size)],
    ];
    return this.options(o);
  }

  heredoc(h: { name: string; content: string; expand: boolean }, forCopy: boolean): string {
    this.imports.add("heredoc");
    return `heredoc(${q(h.name)}, ${q(h.content)}${forCopy && !h.expand ? ", { expand: false }" : ""})`;
  }

  env(pairs: readonly KeyValue[]): string {
    return `env(${object(pairs.map((p) => `${key(p.key)}: ${this.str(p.value)}`))})`;
  }

  argCall(a: ArgDecl): string {
    this.imports.add("arg");
    return `arg(${[q(a.name), ...(a.default === undefined ? [] : [this.str(a.default)])].join(", ")})`;
  }

  /** The chained calls of one instruction (several for ARG with several names). */
  calls(i: Instruction): string[] {
    const args = (...a: (string | undefined)[]): string => a.filter((x) => x !== undefined && x !== "").join(", ");
    switch (i.kind) {
      case "RUN": {
        const opts = this.options([
          ["mounts", i.mounts.length === 0 ? undefined : `[${i.mounts.map((m) => this.mount(m)).join(", ")}]`],
          ["network", i.network === undefined ? undefined : q(i.network)],
          ["security", i.security === undefined ? undefined : q(i.security)],
          ["newLayer", this.boundary ? "true" : undefined],
          ["heredocs", i.heredocs.length === 0 ? undefined : `[${i.heredocs.map((h) => this.heredoc(h, false)).join(", ")}]`],
        ]);
        return [`run(${args(this.command(i.command, i), opts)})`];
      }
      case "COPY":
      case "ADD": {
        const srcs = [...i.sources.filter((w) => !w.text.startsWith("<<")).map((w) => this.str(w)), ...i.heredocs.map((h) => this.heredoc(h, true))];
        const sources = srcs.length === 1 ? (srcs[0] as string) : `[${srcs.join(", ")}]`;
        const common: [string, string | undefined][] = [
          ["chown", i.chown === undefined ? undefined : this.str(i.chown)],
          ["chmod", i.chmod === undefined ? undefined : this.str(i.chmod)],
          ["link", i.link ? "true" : undefined],
          ["exclude", i.exclude.length === 0 ? undefined : `[${i.exclude.map((w) => this.str(w)).join(", ")}]`],
        ];
        if (i.kind === "COPY") {
          const opts = this.options([["from", i.from === undefined ? undefined : this.fromRef(i.from.text)], ...common, ["parents", i.parents ? "true" : undefined]]);
          return [`copy(${args(sources, this.str(i.dest), opts)})`];
        }
        const opts = this.options([
          ...common,
          ["checksum", i.checksum === undefined ? undefined : this.str(i.checksum)],
          ["keepGitDir", i.keepGitDir ? "true" : undefined],
          ["unpack", i.unpack === undefined ? undefined : String(i.unpack)],
        ]);
        return [`add(${args(sources, this.str(i.dest), opts)})`];
      }
      case "ENV":
        return [this.env(i.pairs)];
      case "LABEL":
        return [`label(${object(i.pairs.map((p) => `${key(JSON.parse(this.str(p.key)) as string)}: ${this.str(p.value)}`))})`];
      case "ARG":
        return i.args.map((a) => this.argCall(a));
      case "WORKDIR":
        return [`workdir(${this.str(i.path)})`];
      case "USER":
        return [`user(${this.str(i.user)})`];
      case "EXPOSE":
        return [
          `expose(${i.ports
            .map((w) => {
              const s = JSON.parse(this.str(w)) as string;
              return /^\d+$/.test(s) ? s : q(s);
            })
            .join(", ")})`,
        ];
      case "VOLUME":
        return [`volume(${i.paths.map((w) => this.str(w)).join(", ")})`];
      case "ENTRYPOINT":
        return [`entrypoint(${this.command(i.command, i)})`];
      case "CMD":
        return [`cmd(${this.command(i.command, i)})`];
      case "SHELL":
        return [`shell([${i.args.map(q).join(", ")}])`];
      case "STOPSIGNAL":
        return [`stopSignal(${this.str(i.signal)})`];
      case "HEALTHCHECK": {
        if (i.command === undefined) return [`healthcheck("none")`];
        const opts = this.options([
          ["interval", i.interval === undefined ? undefined : q(duration(i.interval))],
          ["timeout", i.timeout === undefined ? undefined : q(duration(i.timeout))],
          ["startPeriod", i.startPeriod === undefined ? undefined : q(duration(i.startPeriod))],
          ["startInterval", i.startInterval === undefined ? undefined : q(duration(i.startInterval))],
          ["retries", i.retries === undefined ? undefined : String(i.retries)],
        ]);
        // An argv that starts like docker's test form is written in that form, so healthcheck() keeps its first word.
        const c = i.command;
        const test = c.form === "exec" && TEST_FORM.has(c.args[0] ?? "") ? `[${["CMD", ...c.args].map(q).join(", ")}]` : this.command(c, i);
        return [`healthcheck(${args(test, opts)})`];
      }
      case "ONBUILD":
        return [`onbuild(${q(i.expression)})`];
      case "MAINTAINER":
        return [`maintainer(${q(i.name)})`];
      case "FROM":
        return [];
    }
  }

  /** `#` comment lines in the text between two offsets (directives excluded), as `//` lines. */
  comments(from: number, to: number): string[] {
    const out: string[] = [];
    const directiveEnd = Math.max(0, ...this.ast.directives.map((d) => d.span.end));
    for (const line of this.source.text.slice(Math.max(from, directiveEnd), to).split(/\r?\n/)) {
      const m = /^\s*#\s?(.*)$/.exec(line);
      if (m) out.push(`// ${m[1]}`.trimEnd());
      else if (line.trim() === "" && out.length > 0 && out[out.length - 1] !== "") out.push("");
    }
    while (out.length > 0 && out[out.length - 1] === "") out.pop();
    return out;
  }

  convert(instructions: readonly Instruction[]): string {
    const body: string[] = [];
    const froms = instructions.filter((i) => i.kind === "FROM");
    froms.forEach((f, index) => {
      const name = f.stageName?.text.toLowerCase();
      this.idents.push(name === undefined ? (index === froms.length - 1 ? "image" : `stage${index}`) : camel(name));
    });
    let previousEnd = 0;
    let stage = -1;
    let chain: string[] = [];
    const inlineArgs = baseArgs(instructions);
    /** The ENV pairs of the `.env({...})` call at the end of the chain (adjacent ENVs join it: convert-merge.ts). */
    let env: KeyValue[] | undefined;
    const exports: string[] = [];
    const flush = (): void => {
      if (stage < 0) return;
      const f = froms[stage];
      const name = f?.stageName?.text.toLowerCase();
      const ident = this.idents[stage] as string;
      const last = stage === froms.length - 1;
      const exported = name !== undefined && ident === name;
      body.push(`${exported ? "export " : ""}const ${ident} = ${chain.join("\n")};`, "");
      if (name !== undefined && !exported) exports.push(`${ident} as ${q(name)}`);
      if (last) body.push(`export default ${ident};`);
      chain = [];
    };
    for (const i of instructions) {
      const comments = this.comments(previousEnd, i.span.start);
      this.boundary = LAYER_MARK.test(this.source.text.slice(previousEnd, i.span.start));
      previousEnd = i.span.end;
      if (i.kind === "FROM") {
        flush();
        stage++;
        body.push(...comments);
        const base = i.image.text;
        const opts = this.options([["platform", i.platform === undefined ? undefined : this.str(i.platform)]]);
        const baseArg = [...inlineArgs.values()].find((a) => base === `$${a.name}` || base === `\${${a.name}}`);
        const baseExpr = this.names.has(base.toLowerCase()) ? this.fromRef(base) : base === "scratch" ? null : baseArg !== undefined ? this.argCall(baseArg) : this.str(i.image);
        if (baseExpr === null && opts === "") {
          this.imports.add("scratch");
          chain.push("scratch()");
        } else chain.push(`from(${[baseExpr ?? q("scratch"), opts].filter((x) => x !== "").join(", ")})`);
        if (i.stageName !== undefined) this.names.set(i.stageName.text.toLowerCase(), stage);
        continue;
      }
      if (stage < 0) {
        // A global ARG: declared for FROM lines and for stages that redeclare it (one only a FROM reads is declared there).
        const declared = i.kind === "ARG" ? { ...i, args: i.args.filter((a) => !inlineArgs.has(a.name)) } : i;
        if (declared.kind === "ARG" && declared.args.length === 0) {
          body.push(...comments);
          continue;
        }
        this.imports.add("arg");
        body.push(...comments, ...this.calls(declared).map((c) => `${c};`));
        continue;
      }
      if (i.kind === "ENV" && env !== undefined && comments.length === 0 && canJoinEnv(env, i.pairs)) {
        env = [...env, ...i.pairs];
        chain[chain.length - 1] = `.${this.env(env)}`;
        continue;
      }
      env = i.kind === "ENV" ? [...i.pairs] : undefined;
      const calls = this.calls(i).map((c) => `.${c}`);
      chain.push(...comments, ...this.innerComments, ...calls);
      this.innerComments = [];
    }
    flush();
    if (exports.length > 0) body.push(`export { ${exports.join(", ")} };`);
    const imports = `import { ${[...this.imports].sort().join(", ")} } from "${STDLIB_IMPORT}";`;
    return `${imports}\n\n${body.join("\n")}\n`;
  }
}

/** Converts Dockerfile text to image.ts text, formatted with ts-morph. */
export async function convertDockerfile(name: string, text: string): Promise<ConvertResult> {
  const source = new SourceFile(name, text);
  const parsed = parseDockerfile(source);
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) return { text: undefined, source, diagnostics: errors };
  const c = new Converter(source, parsed.ast);
  const raw = c.convert(parsed.instructions);
  if (c.diagnostics.length > 0) return { text: undefined, source, diagnostics: c.diagnostics };
  const { Project, ts } = await import("ts-morph");
  const project = new Project({ useInMemoryFileSystem: true, skipLoadingLibFiles: true });
  const sf = project.createSourceFile("/image.ts", raw);
  sf.formatText({ indentSize: 2, convertTabsToSpaces: true, semicolons: ts.SemicolonPreference.Insert });
  return { text: sf.getFullText(), source, diagnostics: [] };
}
