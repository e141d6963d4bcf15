/**
 * Runs a parsed template (parse.ts) on a value, as text/template's Execute does: fields of
 * maps, variables scoped to their block, pipelines whose value is passed as the last argument
 * of the next command, and if/with/range. A value built with `strictFields` is a Go struct:
 * naming a field it lacks is an error (`can't evaluate field Foo in type …`), as docker's
 * formatter contexts are; plain objects are maps, where a missing key is `<no value>`.
 */
import { CallError, FUNCTIONS, type TemplateFunction } from "./functions.ts";
import { type BlockNode, type Command, type Node, type Operand, type Pipeline, type Pos, parseTemplate, TemplateError } from "./parse.ts";
import { GoNil, goString, isObject, truth } from "./value.ts";

const STRUCT = Symbol("go struct type");

/** Marks an object as a Go struct named `type`: a template naming a field it lacks fails. */
export function strictFields<T extends object>(value: T, type: string): T {
  Object.defineProperty(value, STRUCT, { value: type, enumerable: false });
  return value;
}

export interface Template {
  execute(data: unknown): string;
}

const NAMES: ReadonlySet<string> = new Set(Object.keys(FUNCTIONS));

/**
 * docker's HeaderFunctions: run on the header row of a `table` format, its own functions
 * return their first argument, so `{{json .Names}}` heads its column NAMES.
 */
const HEADER_FUNCTIONS: Readonly<Record<string, TemplateFunction>> = {
  ...FUNCTIONS,
  ...Object.fromEntries(["json", "split", "join", "title", "lower", "upper", "pad", "truncate"].map((n) => [n, (v: unknown) => v])),
};

/**
 * Parses `src`; a TemplateError's message is Go's (`template: :1: …`, or `template: NAME:1: …`
 * for a template given a `name`). `header` runs it with docker's header functions.
 */
export function compileTemplate(src: string, options: { header?: boolean; name?: string } = {}): Template {
  const name = options.name ?? "";
  const nodes = parseTemplate(src, NAMES, name);
  const funcs = options.header ? HEADER_FUNCTIONS : FUNCTIONS;
  return { execute: (data) => new Exec(data, funcs, name).run(nodes) };
}

export { TemplateError };

class Exec {
  private readonly root: unknown;
  private readonly funcs: Readonly<Record<string, TemplateFunction>>;
  private readonly scopes: Map<string, unknown>[];
  private out = "";
  private readonly name: string;

  constructor(root: unknown, funcs: Readonly<Record<string, TemplateFunction>>, name: string) {
    this.root = root;
    this.funcs = funcs;
    this.name = name;
    this.scopes = [new Map([["$", root]])];
  }

  run(nodes: readonly Node[]): string {
    this.nodes(nodes, this.root);
    return this.out;
  }

  private nodes(nodes: readonly Node[], dot: unknown): void {
    for (const n of nodes) this.node(n, dot);
  }

  private scoped(f: () => void): void {
    this.scopes.push(new Map());
    try {
      f();
    } finally {
      this.scopes.pop();
    }
  }

  private node(n: Node, dot: unknown): void {
    switch (n.kind) {
      case "text":
        this.out += n.text;
        return;
      case "action": {
        const v = this.pipeline(n.pipe, dot);
        if (n.pipe.decl.length === 0) this.out += goString(v);
        return;
      }
      case "if":
      case "with":
        this.scoped(() => {
          const v = this.pipeline(n.pipe, dot);
          if (truth(v)) this.nodes(n.body, n.kind === "with" ? v : dot);
          else this.nodes(n.otherwise, dot);
        });
        return;
      case "range":
        this.scoped(() => this.range(n, dot));
    }
  }

  private range(n: BlockNode, dot: unknown): void {
    const pipe: Pipeline = { ...n.pipe, decl: [] };
    const v = this.pipeline(pipe, dot);
    const entries: [unknown, unknown][] = Array.isArray(v)
      ? v.map((e, i) => [i, e])
      : isObject(v)
        ? Object.keys(v)
            .sort()
            .map((k) => [k, v[k]])
        : typeof v === "number" && Number.isInteger(v)
          ? Array.from({ length: v }, (_, i) => [i, i])
          : v === undefined || v === null || truth(v) === false
            ? []
            : this.fail(n.pipe, `range can't iterate over ${goString(v)}`);
    if (entries.length === 0) {
      this.nodes(n.otherwise, dot);
      return;
    }
    const scope = this.scopes[this.scopes.length - 1] as Map<string, unknown>;
    for (const [k, e] of entries) {
      if (n.pipe.decl.length === 1) scope.set(n.pipe.decl[0] as string, e);
      if (n.pipe.decl.length === 2) {
        scope.set(n.pipe.decl[0] as string, k);
        scope.set(n.pipe.decl[1] as string, e);
      }
      this.scoped(() => this.nodes(n.body, e));
    }
  }

  /** Go's execution error: `template: NAME:LINE:COL: executing "NAME" at <NODE>: …`. */
  private fail(at: { readonly pos: Pos }, message: string): never {
    throw new TemplateError(`template: ${this.name}:${at.pos.line}:${at.pos.col}: executing "${this.name}" at <${at.pos.text}>: ${message}`);
  }

  private pipeline(p: Pipeline, dot: unknown): unknown {
    let v: unknown;
    let first = true;
    for (const c of p.cmds) {
      v = this.command(p, c, dot, first ? [] : [v]);
      first = false;
    }
    if (p.decl.length > 0) {
      const name = p.decl[0] as string;
      if (p.assign) {
        const scope = [...this.scopes].reverse().find((s) => s.has(name));
        if (!scope) this.fail(p, `undefined variable: ${name}`);
        scope.set(name, v);
      } else (this.scopes[this.scopes.length - 1] as Map<string, unknown>).set(name, v);
    }
    return v;
  }

  private command(p: Pipeline, c: Command, dot: unknown, piped: unknown[]): unknown {
    const [head, ...rest] = c.args as [Operand, ...Operand[]];
    if (head.kind === "func") {
      const args = [...rest.map((a) => this.operand(p, a, dot)), ...piped];
      try {
        return (this.funcs[head.name] as (...a: unknown[]) => unknown)(...args);
      } catch (e) {
        if (e instanceof CallError) this.fail(c, e.message.startsWith("error calling") ? e.message : `error calling ${head.name}: ${e.message}`);
        throw e;
      }
    }
    const v = this.operand(p, head, dot);
    // A method of a struct (`{{.Label "key"}}`): called with the command's arguments.
    if (typeof v === "function") return (v as (...a: unknown[]) => unknown)(...rest.map((a) => this.operand(p, a, dot)), ...piped);
    if (rest.length > 0 || piped.length > 0) this.fail(c, `can't give argument to non-function ${goString(v)}`);
    return v;
  }

  private operand(p: Pipeline, o: Operand, dot: unknown): unknown {
    switch (o.kind) {
      case "dot":
        return dot;
      case "literal":
        return o.value;
      case "func":
        return this.command(p, { args: [o], pos: p.pos }, dot, []);
      case "pipe":
        return this.pipeline(o.pipe, dot);
      case "var": {
        const scope = [...this.scopes].reverse().find((s) => s.has(o.name));
        if (!scope) this.fail(o, `undefined variable: ${o.name}`);
        return this.fields(o, scope.get(o.name), o.names);
      }
      case "field":
        return this.fields(o, o.receiver ? this.operand(p, o.receiver, dot) : dot, o.names);
    }
  }

  private fields(p: { readonly pos: Pos }, start: unknown, names: readonly string[]): unknown {
    let v = start;
    for (const name of names) {
      // A missing key or a nil map has no entries: `<no value>`, as Go's map index.
      if (v === undefined || (v instanceof GoNil && v.type === "map")) return undefined;
      if (!isObject(v)) this.fail(p, v === null ? `nil pointer evaluating interface {}.${name}` : `can't evaluate field ${name} in type ${Array.isArray(v) ? "[]interface {}" : typeof v}`);
      const type = (v as { [STRUCT]?: string })[STRUCT];
      if (type !== undefined && !Object.hasOwn(v, name)) this.fail(p, `can't evaluate field ${name} in type ${type}`);
      v = v[name];
    }
    return v;
  }
}
