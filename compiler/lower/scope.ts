import type { Word } from "../dockerfile/ast.ts";
import type { DiagnosticCode } from "../diagnostics/codes.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { envLookup } from "../ir/env.ts";
import { expandWord, expandWords } from "../shell/index.ts";

/**
 * The variables visible at one point of a stage: the image config's Env (which
 * wins, as the reference says ENV overrides ARG) and the ARGs declared so far.
 */
export class Scope {
  readonly env: readonly string[];
  readonly args: ReadonlyMap<string, string | undefined>;
  readonly escape: "\\" | "`";

  constructor(env: readonly string[], args: ReadonlyMap<string, string | undefined>, escapeChar: "\\" | "`") {
    this.env = env;
    this.args = args;
    this.escape = escapeChar;
  }

  lookup = (name: string): string | undefined => envLookup(this.env, name) ?? this.args.get(name);

  withEnv(env: readonly string[]): Scope {
    return new Scope(env, this.args, this.escape);
  }

  withArg(name: string, value: string | undefined): Scope {
    const args = new Map(this.args);
    args.set(name, value);
    return new Scope(this.env, args, this.escape);
  }

  /** ARGs with values that ENV does not shadow, as `K=V` for a RUN's environment. */
  argEnv(): string[] {
    const out: string[] = [];
    for (const [k, v] of this.args) if (v !== undefined && envLookup(this.env, k) === undefined) out.push(`${k}=${v}`);
    return out;
  }
}

/** Collects diagnostics while expanding words of one file. */
export class Expander {
  readonly file: string;
  readonly diagnostics: Diagnostic[];

  constructor(file: string, diagnostics: Diagnostic[] = []) {
    this.file = file;
    this.diagnostics = diagnostics;
  }

  /** An expander for another source (ONBUILD triggers) that reports into the same list. */
  forFile(file: string): Expander {
    return new Expander(file, this.diagnostics);
  }

  word(w: Word, scope: Scope): string {
    const r = expandWord(w.text, scope.lookup, { escape: scope.escape });
    if (r.ok) return r.value;
    this.fail(w, r.message, r.offset);
    return w.text;
  }

  /** A heredoc body: only `$` expansions, quotes and escapes kept (BuildKit's RawQuotes/RawEscapes). */
  raw(w: Word, scope: Scope): string {
    const r = expandWord(w.text, scope.lookup, { escape: scope.escape, raw: true });
    if (r.ok) return r.value;
    this.fail(w, r.message, r.offset);
    return w.text;
  }

  words(w: Word, scope: Scope): string[] {
    const r = expandWords(w.text, scope.lookup, { escape: scope.escape });
    if (r.ok) return r.words;
    this.fail(w, r.message, r.offset);
    return [w.text];
  }

  error(code: DiagnosticCode, w: { span: Word["span"] }, message: string, hint?: string): void {
    this.diagnostics.push({ code, severity: "error", message, file: this.file, span: w.span, hint });
  }

  warn(code: DiagnosticCode, w: { span: Word["span"] }, message: string, hint?: string): void {
    this.diagnostics.push({ code, severity: "warning", message, file: this.file, span: w.span, hint });
  }

  private fail(w: Word, message: string, offset: number): void {
    const start = Math.min(w.span.end, w.span.start + Math.max(0, offset));
    this.diagnostics.push({ code: "LW001", severity: "error", message: `cannot expand "${w.text}": ${message}`, file: this.file, span: { start, end: w.span.end } });
  }
}
