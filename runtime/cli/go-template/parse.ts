/**
 * A parser for the subset of Go's text/template that `--format` strings use (docker's and
 * podman's): text, `{{ pipeline }}` actions with `{{-`/`-}}` trimming and comments, pipelines
 * of commands (`.A.B`, `$x`, `$`, functions, string/number/bool/nil literals, parentheses,
 * `|`), variable declarations (`$v := …`, `$i, $v := …` in range), and `if`/`else if`/`else`,
 * `range`/`else`, `with`/`else` blocks closed by `end`. Errors read as Go's (`template: :1:
 * unclosed action`), so scripts that match on docker's messages keep working.
 *
 * Our own code because no kept npm library implements Go templates (the ones on the registry
 * are Handlebars/Mustache dialects with other syntax and semantics); this is the small part
 * docker's formatter needs, tested in specs/cli/go-template.spec.ts.
 */

export type Operand =
  | { readonly kind: "field"; readonly receiver?: Operand; readonly names: readonly string[]; readonly pos: Pos }
  | { readonly kind: "var"; readonly name: string; readonly names: readonly string[]; readonly pos: Pos }
  | { readonly kind: "dot" }
  | { readonly kind: "func"; readonly name: string }
  | { readonly kind: "literal"; readonly value: unknown }
  | { readonly kind: "pipe"; readonly pipe: Pipeline };

export interface Command {
  readonly args: readonly Operand[];
  readonly pos: Pos;
}

export interface Pipeline {
  readonly pos: Pos;
  readonly decl: readonly string[];
  /** `$x = …`: assignment to a declared variable rather than a declaration. */
  readonly assign: boolean;
  readonly cmds: readonly Command[];
}

/** Where a node is, as Go's errors name it: `:LINE:COL` (a byte column from 0) and the node's text. */
export interface Pos {
  readonly line: number;
  readonly col: number;
  readonly text: string;
}

/** The Pos of the source between two offsets. */
type Locate = (start: number, end: number) => Pos;

export type Node =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "action"; readonly pipe: Pipeline }
  | BlockNode;

export interface BlockNode {
  readonly kind: "if" | "with" | "range";
  readonly pipe: Pipeline;
  readonly body: readonly Node[];
  readonly otherwise: readonly Node[];
}

export class TemplateError extends Error {}

/** Functions a template may call: parsing refuses any other identifier, as Go's does. */
export type FunctionNames = ReadonlySet<string>;

interface Action {
  readonly src: string;
  readonly offset: number;
}

const KEYWORDS = new Set(["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"]);

/** Parses `src`; `name` is the template's name in Go's errors (`template: NAME:1: …`; docker's are "" but version's). */
export function parseTemplate(src: string, funcs: FunctionNames, name = ""): readonly Node[] {
  return new Parser(src, funcs, name).parse();
}

class Parser {
  private pos = 0;
  private readonly items: (Node | { kind: "kw"; word: string; pipe?: Pipeline; pos: Pos })[] = [];
  private at = 0;

  private readonly src: string;
  private readonly funcs: FunctionNames;
  private readonly name: string;

  constructor(src: string, funcs: FunctionNames, name: string) {
    this.src = src;
    this.funcs = funcs;
    this.name = name;
  }

  parse(): readonly Node[] {
    this.scan();
    const body = this.list(new Set());
    if (this.at < this.items.length) {
      const it = this.items[this.at] as { word: string; pos: Pos };
      throw this.fail(it.pos, `unexpected {{${it.word}}}`);
    }
    return body;
  }

  private line(offset: number): number {
    let n = 1;
    for (let i = 0; i < offset; i++) if (this.src.charCodeAt(i) === 10) n++;
    return n;
  }

  private readonly locate: Locate = (start, end) => ({ line: this.line(start), col: start - this.src.lastIndexOf("\n", start - 1) - 1, text: this.src.slice(start, end).trim() });

  private fail(pos: Pos | number, message: string): TemplateError {
    const line = typeof pos === "number" ? this.line(pos) : pos.line;
    return new TemplateError(`template: ${this.name}:${line}: ${message}`);
  }

  /** Splits the source into text and actions, applying trim markers, then parses each action. */
  private scan(): void {
    const { src } = this;
    let text = "";
    while (this.pos < src.length) {
      const open = src.indexOf("{{", this.pos);
      if (open < 0) {
        text += src.slice(this.pos);
        break;
      }
      text += src.slice(this.pos, open);
      let start = open + 2;
      // Go's trim markers: `{{- ` and ` -}}`, the dash and ASCII space together.
      if (/^-[ \t\r\n]/.test(src.slice(start, start + 2))) {
        text = text.replace(/\s+$/, "");
        start += 1;
      }
      if (text) this.items.push({ kind: "text", text });
      text = "";
      const close = findClose(src, start);
      if (close < 0) throw this.fail(open, "unclosed action");
      let end = close;
      let trimAfter = false;
      if (close - 1 > start && src[close - 1] === "-" && /[ \t\r\n]/.test(src[close - 2] ?? "")) {
        end = close - 1;
        trimAfter = true;
      }
      this.action({ src: src.slice(start, end), offset: start });
      this.pos = close + 2;
      if (trimAfter) {
        const m = /^\s*/.exec(src.slice(this.pos)) as RegExpExecArray;
        this.pos += m[0].length;
      }
    }
    if (text) this.items.push({ kind: "text", text });
  }

  private action(a: Action): void {
    const body = a.src.trim();
    if (body.startsWith("/*")) {
      if (!body.endsWith("*/")) throw this.fail(a.offset, "unclosed comment");
      return;
    }
    const pos = this.locate(a.offset, a.offset + a.src.length);
    const toks = new Lexer(a.src, a.offset, (o, m) => this.fail(o, m)).all();
    if (toks.length === 0) throw this.fail(a.offset, "missing value for command");
    const first = toks[0] as Token;
    if (first.kind === "ident" && KEYWORDS.has(first.text)) {
      const word = first.text;
      if (word === "define" || word === "template" || word === "block" || word === "break" || word === "continue") throw this.fail(a.offset, `{{${word}}} is not supported in --format templates`);
      if (word === "end") {
        if (toks.length > 1) throw this.fail(a.offset, "unexpected token in end");
        this.items.push({ kind: "kw", word, pos });
        return;
      }
      if (word === "else") {
        const rest = toks.slice(1);
        if (rest.length === 0) {
          this.items.push({ kind: "kw", word, pos });
          return;
        }
        const kw = rest[0] as Token;
        if (kw.kind !== "ident" || (kw.text !== "if" && kw.text !== "with")) throw this.fail(a.offset, "unexpected token in else");
        this.items.push({ kind: "kw", word: `else ${kw.text}`, pipe: new PipeParser(rest.slice(1), pos, this.locate, this.funcs, (o, m) => this.fail(o, m)).pipeline(false), pos });
        return;
      }
      this.items.push({ kind: "kw", word, pipe: new PipeParser(toks.slice(1), pos, this.locate, this.funcs, (o, m) => this.fail(o, m)).pipeline(word === "range"), pos });
      return;
    }
    this.items.push({ kind: "action", pipe: new PipeParser(toks, pos, this.locate, this.funcs, (o, m) => this.fail(o, m)).pipeline(false) });
  }

  /** Nodes up to (not including) a keyword in `stops`. */
  private list(stops: ReadonlySet<string>): Node[] {
    const out: Node[] = [];
    while (this.at < this.items.length) {
      const it = this.items[this.at] as (typeof this.items)[number];
      if (it.kind !== "kw") {
        out.push(it);
        this.at++;
        continue;
      }
      if (stops.has(it.word) || (it.word.startsWith("else ") && stops.has("else"))) return out;
      if (it.word === "end" || it.word.startsWith("else")) throw this.fail(it.pos, `unexpected {{${it.word.split(" ")[0]}}}`);
      this.at++;
      out.push(this.block(it.word as "if" | "with" | "range", it.pipe as Pipeline, it.pos));
    }
    return out;
  }

  private block(kind: "if" | "with" | "range", pipe: Pipeline, pos: Pos): Node {
    const body = this.list(new Set(["end", "else"]));
    const next = this.items[this.at] as { kind: "kw"; word: string; pipe?: Pipeline } | undefined;
    if (next === undefined) throw this.fail(pos, "unexpected EOF");
    this.at++;
    if (next.word === "end") return { kind, pipe, body, otherwise: [] };
    if (next.word === "else") {
      const otherwise = this.list(new Set(["end"]));
      if (this.at >= this.items.length) throw this.fail(pos, "unexpected EOF");
      this.at++;
      return { kind, pipe, body, otherwise };
    }
    // `else if …` / `else with …`: a nested block that shares this one's end.
    const nested = this.block(next.word.slice(5) as "if" | "with", next.pipe as Pipeline, pos);
    return { kind, pipe, body, otherwise: [nested] };
  }
}

/** The `}}` closing an action that starts at `from`, skipping quoted strings and comments. */
function findClose(src: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === '"' || c === "'") {
      i++;
      while (i < src.length && src[i] !== c) i += src[i] === "\\" ? 2 : 1;
      i++;
    } else if (c === "`") {
      i = src.indexOf("`", i + 1);
      if (i < 0) return -1;
      i++;
    } else if (src.startsWith("/*", i)) {
      const e = src.indexOf("*/", i + 2);
      if (e < 0) return -1;
      i = e + 2;
    } else if (src.startsWith("}}", i)) return i;
    else i++;
  }
  return -1;
}

type Token =
  | { readonly kind: "field"; readonly text: string; readonly offset: number }
  | { readonly kind: "var" | "ident" | "punct"; readonly text: string; readonly offset: number }
  | { readonly kind: "literal"; readonly text: string; readonly value: unknown; readonly offset: number };

class Lexer {
  private i = 0;
  private readonly s: string;
  private readonly base: number;
  private readonly fail: (offset: number, message: string) => TemplateError;

  constructor(s: string, base: number, fail: (offset: number, message: string) => TemplateError) {
    this.s = s;
    this.base = base;
    this.fail = fail;
  }

  all(): Token[] {
    const out: Token[] = [];
    const { s } = this;
    while (this.i < s.length) {
      const c = s[this.i] as string;
      const start = this.i;
      const offset = this.base + start;
      if (/\s/.test(c)) {
        this.i++;
      } else if (c === "." && /[A-Za-z_]/.test(s[start + 1] ?? "")) {
        this.i = start + 1 + (/^[A-Za-z_0-9]+/.exec(s.slice(start + 1)) as RegExpExecArray)[0].length;
        out.push({ kind: "field", text: s.slice(start + 1, this.i), offset });
      } else if (c === "." && !/[0-9]/.test(s[start + 1] ?? "")) {
        this.i++;
        out.push({ kind: "punct", text: ".", offset });
      } else if (c === "$") {
        this.i = start + 1 + (/^[A-Za-z_0-9]*/.exec(s.slice(start + 1)) as RegExpExecArray)[0].length;
        out.push({ kind: "var", text: s.slice(start, this.i), offset });
      } else if (/[A-Za-z_]/.test(c)) {
        this.i = start + (/^[A-Za-z_0-9]+/.exec(s.slice(start)) as RegExpExecArray)[0].length;
        const w = s.slice(start, this.i);
        if (w === "true" || w === "false") out.push({ kind: "literal", text: w, value: w === "true", offset });
        else if (w === "nil") out.push({ kind: "literal", text: w, value: null, offset });
        else out.push({ kind: "ident", text: w, offset });
      } else if (c === '"') {
        let j = start + 1;
        while (j < s.length && s[j] !== '"') {
          if (s[j] === "\n") throw this.fail(offset, "unterminated quoted string");
          j += s[j] === "\\" ? 2 : 1;
        }
        if (j >= s.length) throw this.fail(offset, "unterminated quoted string");
        this.i = j + 1;
        const text = s.slice(start, this.i);
        out.push({ kind: "literal", text, value: unquote(text, () => this.fail(offset, `invalid syntax: ${text}`)), offset });
      } else if (c === "`") {
        const j = s.indexOf("`", start + 1);
        if (j < 0) throw this.fail(offset, "unterminated raw quoted string");
        this.i = j + 1;
        out.push({ kind: "literal", text: s.slice(start, this.i), value: s.slice(start + 1, j), offset });
      } else if (/[0-9+-]/.test(c) || (c === "." && /[0-9]/.test(s[start + 1] ?? ""))) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]+|[0-9_]*\.?[0-9_]*([eE][+-]?[0-9]+)?)/.exec(s.slice(start)) as RegExpExecArray;
        const text = m[0];
        const value = Number(text.replaceAll("_", ""));
        if (text === "" || text === "-" || text === "+" || Number.isNaN(value)) throw this.fail(offset, `bad number syntax: "${s.slice(start, start + Math.max(1, text.length))}"`);
        this.i = start + text.length;
        out.push({ kind: "literal", text, value, offset });
      } else if (s.startsWith(":=", start)) {
        this.i += 2;
        out.push({ kind: "punct", text: ":=", offset });
      } else if ("|(),=".includes(c)) {
        this.i++;
        out.push({ kind: "punct", text: c, offset });
      } else {
        throw this.fail(offset, `unexpected ${JSON.stringify(c)} in command`);
      }
    }
    return out;
  }
}

/** A Go interpreted string literal's value (JSON's escapes plus \a \v \x.. \' and octal). */
function unquote(text: string, bad: () => TemplateError): string {
  const go = text.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{3}|a|v|')/g, (_, e: string) => {
    if (e === "a") return "\\u0007";
    if (e === "v") return "\\u000b";
    if (e === "'") return "'";
    const code = e.startsWith("x") ? Number.parseInt(e.slice(1), 16) : Number.parseInt(e, 8);
    return `\\u${code.toString(16).padStart(4, "0")}`;
  });
  try {
    return JSON.parse(go) as string;
  } catch {
    throw bad();
  }
}

class PipeParser {
  private i = 0;
  private readonly toks: readonly Token[];
  private readonly pos: Pos;
  private readonly locate: Locate;
  private readonly funcs: FunctionNames;
  private readonly fail: (offset: number, message: string) => TemplateError;

  constructor(toks: readonly Token[], pos: Pos, locate: Locate, funcs: FunctionNames, fail: (offset: number, message: string) => TemplateError) {
    this.toks = toks;
    this.pos = pos;
    this.locate = locate;
    this.funcs = funcs;
    this.fail = fail;
  }

  private get offset(): number {
    return (this.toks[this.i] ?? this.toks[this.toks.length - 1])?.offset ?? 0;
  }

  pipeline(allowTwo: boolean): Pipeline {
    const decl: string[] = [];
    let assign = false;
    // `$x :=`, `$x =`, and (range) `$i, $v :=`.
    const t0 = this.toks[0];
    const t1 = this.toks[1];
    if (t0?.kind === "var" && t1?.kind === "punct" && (t1.text === ":=" || t1.text === "=")) {
      decl.push(t0.text);
      assign = t1.text === "=";
      this.i = 2;
    } else if (allowTwo && t0?.kind === "var" && t1?.text === "," && this.toks[2]?.kind === "var" && this.toks[3]?.text === ":=") {
      decl.push(t0.text, (this.toks[2] as Token).text);
      this.i = 4;
    }
    const pipe = this.pipe(decl, assign);
    if (this.i < this.toks.length) throw this.fail(this.offset, `unexpected ${JSON.stringify((this.toks[this.i] as Token).text)} in operand`);
    return pipe;
  }

  private pipe(decl: readonly string[], assign: boolean): Pipeline {
    const cmds: Command[] = [];
    for (;;) {
      const args: Operand[] = [];
      const first = this.i;
      while (this.i < this.toks.length) {
        const t = this.toks[this.i] as Token;
        if (t.kind === "punct" && (t.text === "|" || t.text === ")")) break;
        args.push(this.operand());
      }
      if (args.length === 0) throw this.fail(this.offset, "missing value for command");
      cmds.push({ args, pos: this.span(first) });
      if (this.toks[this.i]?.text !== "|" || this.toks[this.i]?.kind !== "punct") break;
      this.i++;
    }
    return { pos: this.pos, decl, assign, cmds };
  }

  private operand(): Operand {
    const t = this.toks[this.i] as Token;
    this.i++;
    let term: Operand;
    switch (t.kind) {
      case "field": {
        const names = [t.text, ...this.chain()];
        return { kind: "field", names, pos: this.span(this.i - names.length) };
      }
      case "var": {
        const names = this.chain();
        return { kind: "var", name: t.text, names, pos: this.span(this.i - names.length - 1) };
      }
      case "literal":
        return { kind: "literal", value: t.value };
      case "ident":
        if (KEYWORDS.has(t.text)) throw this.fail(t.offset, `unexpected <${t.text}> in operand`);
        if (!this.funcs.has(t.text)) throw this.fail(t.offset, `function "${t.text}" not defined`);
        return { kind: "func", name: t.text };
      case "punct":
        if (t.text === ".") return { kind: "dot" };
        if (t.text === "(") {
          const pipe = this.pipe([], false);
          if (this.toks[this.i]?.text !== ")") throw this.fail(t.offset, "unclosed left paren");
          this.i++;
          const names = this.chain();
          term = { kind: "pipe", pipe };
          return names.length ? { kind: "field", receiver: term, names, pos: this.span(this.i - names.length) } : term;
        }
        throw this.fail(t.offset, `unexpected "${t.text}" in operand`);
    }
  }

  /** The Pos of tokens first … (this.i - 1). */
  private span(first: number): Pos {
    const a = this.toks[first] as Token;
    const b = this.toks[this.i - 1] as Token;
    return this.locate(a.offset, b.offset + b.text.length + (b.kind === "field" ? 1 : 0));
  }

  /** `.A.B` directly after a term (no space). */
  private chain(): string[] {
    const names: string[] = [];
    for (;;) {
      const t = this.toks[this.i];
      const prev = this.toks[this.i - 1] as Token;
      if (t?.kind !== "field" || t.offset !== prev.offset + prev.text.length + (prev.kind === "field" ? 1 : 0)) return names;
      names.push(t.text);
      this.i++;
    }
  }
}
