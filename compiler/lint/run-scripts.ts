/**
 * A light reading of the shell scripts a RUN runs, enough for the Strata
 * checks: the script is split into simple commands at unquoted `&&`, `||`,
 * `;`, `|`, `&`, parentheses and newlines, and each command into words with
 * quotes removed. It is not a shell parser: no expansions, no redirections
 * beyond keeping them as words, no nested structure.
 *
 * Each word keeps its offset in the script, and each script piece knows how
 * to map an offset back to the Dockerfile, so findings point at the word.
 */
import type { RunInstruction } from "../dockerfile/ast.ts";
import type { SourceFile } from "../source/source-file.ts";
import type { Span } from "../source/span.ts";

export interface ShellWord {
  readonly text: string;
  /** Offsets in the piece's text. */
  readonly start: number;
  readonly end: number;
}

export interface SimpleCommand {
  readonly words: readonly ShellWord[];
  /** The operator after the command ("" at the end of the script). */
  readonly next: string;
}

export interface ScriptPiece {
  readonly text: string;
  /** The source span of [start, end) in `text`; the whole instruction's arguments when unknown. */
  readonly span: (start: number, end: number) => Span;
  readonly kind: "script" | "heredoc" | "exec";
}

/** Splits a script into simple commands. */
export function simpleCommands(text: string): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  let words: ShellWord[] = [];
  let cur = "";
  let start = -1;
  const endWord = (at: number): void => {
    if (start >= 0) words.push({ text: cur, start, end: at });
    cur = "";
    start = -1;
  };
  const endCommand = (op: string): void => {
    if (words.length > 0) out.push({ words, next: op });
    words = [];
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === "\\" && i + 1 < text.length) {
      if (text[i + 1] === "\n") {
        endWord(i);
        i += 2;
        continue;
      }
      if (start < 0) start = i;
      cur += text[i + 1];
      i += 2;
      continue;
    }
    if (c === "'" || c === '"') {
      if (start < 0) start = i;
      const close = text.indexOf(c, i + 1);
      const end = close < 0 ? text.length : close;
      const quoted = text.slice(i + 1, end);
      cur += c === '"' ? quoted.replace(/\\(["\\$`])/g, "$1") : quoted;
      i = end + 1;
      continue;
    }
    if (c === "#" && start < 0) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      endWord(i);
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === "&&" || two === "||") {
      endWord(i);
      endCommand(two);
      i += 2;
      continue;
    }
    if (c === ";" || c === "|" || c === "&" || c === "(" || c === ")" || c === "\n") {
      endWord(i);
      endCommand(c);
      i++;
      continue;
    }
    if (start < 0) start = i;
    cur += c;
    i++;
  }
  endWord(text.length);
  endCommand("");
  return out;
}

/** The nth (0-based) occurrence of `needle` in `hay` from `from`, or -1. */
function nthIndexOf(hay: string, needle: string, n: number, from: number, to: number): number {
  let at = from - 1;
  for (let k = 0; k <= n; k++) {
    at = hay.indexOf(needle, at + 1);
    if (at < 0 || at + needle.length > to) return -1;
  }
  return at;
}

function countBefore(text: string, needle: string, before: number): number {
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0 && at < before; at = text.indexOf(needle, at + 1)) n++;
  return n;
}

/** The scripts a RUN runs: its shell-form command or exec-form arguments, and its heredoc bodies. */
export function runPieces(run: RunInstruction, source: SourceFile): ScriptPiece[] {
  const node = run.node;
  const whole = node.rest.text === "" ? node.keywordSpan : node.rest.span;
  const pieces: ScriptPiece[] = [];
  if (run.command.form === "exec") {
    pieces.push({ text: run.command.args.map((a) => (/[\s'"]/.test(a) ? `'${a.replaceAll("'", "'\\''")}'` : a)).join(" "), span: () => whole, kind: "exec" });
  } else {
    const value = node.values[0];
    const text = run.command.script;
    const direct = value !== undefined && value.text === text && value.span.end - value.span.start === text.length;
    const base = value?.span.start ?? whole.start;
    pieces.push({
      text,
      kind: "script",
      span: (s, e) => {
        if (direct) return { start: base + s, end: base + e };
        // Continuation lines were joined: find the same occurrence of the words in the source.
        const needle = text.slice(s, e);
        const at = nthIndexOf(source.text, needle, countBefore(text, needle, s), base, node.span.end);
        return at < 0 ? whole : { start: at, end: at + needle.length };
      },
    });
  }
  for (const h of node.heredocs) {
    pieces.push({ text: h.content, kind: "heredoc", span: (s, e) => ({ start: h.span.start + s, end: h.span.start + e }) });
  }
  return pieces;
}

/** The command name of a simple command: the first word after `VAR=value` assignments and `sudo`, as a basename. */
export function commandName(cmd: SimpleCommand): { name: string; index: number } | undefined {
  let i = 0;
  while (i < cmd.words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(cmd.words[i]?.text ?? "")) i++;
  if (cmd.words[i]?.text === "sudo") i++;
  const w = cmd.words[i];
  if (w === undefined) return undefined;
  return { name: w.text.slice(w.text.lastIndexOf("/") + 1), index: i };
}
