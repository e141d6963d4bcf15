/**
 * The Dockerfile lexer: one token per physical line (BuildKit's parser is
 * line based), plus one token per heredoc body. Token kinds are plain data
 * (`LINE_TOKENS`); the only escape-dependent pattern is the continued line, so
 * one lexer (and one parser) is built lazily per escape character.
 *
 * Heredoc bodies cannot be described by a regular pattern (the terminator is
 * named on the instruction line), so `HeredocBody` is a custom pattern: after a
 * RUN/COPY/ADD line that opens heredocs, it consumes each body up to and
 * including its terminator line, and carries the parsed header as payload.
 */
import { createToken, Lexer, type IToken, type TokenType } from "chevrotain";
import { SPACE_CLASS } from "./chars.ts";
import { type HeredocHead, instructionHeredocs } from "./heredoc.ts";
import { contentEnd, joinLines, LineKind, type PhysicalLine } from "./logical-line.ts";

export interface HeredocPayload {
  readonly head: HeredocHead;
  /** Offset where the body content ends (the terminator line starts). */
  readonly contentEnd: number;
  readonly terminated: boolean;
}

/** Token definitions as data; `continued` is filled in per escape character. */
const LINE_TOKENS = [
  { name: "CommentLine", pattern: `[${SPACE_CLASS}]*#[^\\n]*\\n?` },
  { name: "BlankLine", pattern: `[${SPACE_CLASS}]*\\n|[${SPACE_CLASS}]+$` },
  { name: "ContinuedLine", pattern: "(?:[^\\n]*[^\\n{E}])?{E}[ \\t]*\\r*(?:\\n|$)" },
  { name: "TextLine", pattern: "[^\\n]+\\n?" },
] as const;

export type LineTokenName = (typeof LINE_TOKENS)[number]["name"] | "Bom" | "HeredocBody";

export interface DockerfileTokens {
  readonly Bom: TokenType;
  readonly HeredocBody: TokenType;
  readonly CommentLine: TokenType;
  readonly BlankLine: TokenType;
  readonly ContinuedLine: TokenType;
  readonly TextLine: TokenType;
  readonly all: TokenType[];
  readonly lexer: Lexer;
}

const cache = new Map<string, DockerfileTokens>();

function reEscape(c: string): string {
  return c === "\\" ? "\\\\" : c;
}

/** The token set and lexer for an escape character, built once. */
export function tokensFor(esc: string): DockerfileTokens {
  const hit = cache.get(esc);
  if (hit !== undefined) return hit;
  const Bom = createToken({
    name: "Bom",
    pattern: { exec: (text, offset) => (offset === 0 && text.charCodeAt(0) === 0xfeff ? ["\ufeff"] : null) },
    line_breaks: false,
  });
  const byName = new Map<string, TokenType>();
  for (const def of LINE_TOKENS) {
    const src = def.pattern.replaceAll("{E}", reEscape(esc));
    byName.set(def.name, createToken({ name: def.name, pattern: new RegExp(src), line_breaks: true }));
  }
  const get = (n: string): TokenType => byName.get(n) as TokenType;
  const CommentLine = get("CommentLine");
  const BlankLine = get("BlankLine");
  const ContinuedLine = get("ContinuedLine");
  const TextLine = get("TextLine");
  const kinds = new Map<TokenType, LineKind>([
    [CommentLine, LineKind.Comment],
    [BlankLine, LineKind.Blank],
    [ContinuedLine, LineKind.Continued],
    [TextLine, LineKind.Text],
  ]);
  const HeredocBody = createToken({
    name: "HeredocBody",
    pattern: { exec: heredocMatcher(TextLine, kinds) },
    line_breaks: true,
  });
  const all = [Bom, HeredocBody, CommentLine, BlankLine, ContinuedLine, TextLine];
  const lexer = new Lexer(all, {
    positionTracking: "onlyOffset",
    ensureOptimizations: false,
    skipValidations: true,
  });
  const t: DockerfileTokens = { Bom, HeredocBody, CommentLine, BlankLine, ContinuedLine, TextLine, all, lexer };
  cache.set(esc, t);
  return t;
}

/** The physical lines of the instruction ending with token `last` (a TextLine). */
export function instructionLines(tokens: readonly IToken[], last: number, kinds: ReadonlyMap<TokenType, LineKind>): PhysicalLine[] {
  let first = last;
  for (let i = last - 1; i >= 0; i--) {
    const k = kinds.get((tokens[i] as IToken).tokenType);
    if (k === undefined || k === LineKind.Text) break;
    if (k === LineKind.Continued) first = i;
  }
  const out: PhysicalLine[] = [];
  for (let i = first; i <= last; i++) {
    const t = tokens[i] as IToken;
    out.push({ start: t.startOffset, end: t.startOffset + t.image.length, kind: kinds.get(t.tokenType) ?? LineKind.Text });
  }
  return out;
}

function heredocMatcher(TextLine: TokenType, kinds: ReadonlyMap<TokenType, LineKind>) {
  let lastTokens: IToken[] | undefined;
  let pending: HeredocHead[] = [];
  let next = 0;
  let expectAt = -1;
  let checkedAt = -1;
  return (text: string, offset: number, tokens: IToken[]): [string] | null => {
    if (tokens !== lastTokens) {
      lastTokens = tokens;
      pending = [];
      next = 0;
      expectAt = -1;
      checkedAt = -1;
    }
    const n = tokens.length;
    if (n === 0) return null;
    if (n !== expectAt || next >= pending.length) {
      if (checkedAt === n) return null;
      checkedAt = n;
      const last = tokens[n - 1] as IToken;
      if (last.tokenType !== TextLine) return null;
      let maybe = false;
      for (let i = n - 1; i >= 0; i--) {
        const t = tokens[i] as IToken;
        const k = kinds.get(t.tokenType);
        if (i < n - 1 && (k === undefined || k === LineKind.Text)) break;
        if (t.image.includes("<<")) {
          maybe = true;
          break;
        }
      }
      if (!maybe) return null;
      const lines = instructionLines(tokens, n - 1, kinds);
      pending = instructionHeredocs(joinLines(text, lines).text);
      if (pending.length === 0) return null;
      next = 0;
      expectAt = n;
    }
    const head = pending[next] as HeredocHead;
    next++;
    expectAt = n + 1;
    return matchBody(text, offset, head);
  };
}

function matchBody(text: string, offset: number, head: HeredocHead): [string] {
  let pos = offset;
  const name = head.name;
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    const end = nl === -1 ? text.length : nl + 1;
    let s = pos;
    if (head.chomp) while (text.charCodeAt(s) === 9) s++;
    const e = contentEnd(text, s, end);
    if (e - s === name.length && text.startsWith(name, s)) {
      const r: [string] & { payload?: HeredocPayload } = [text.slice(offset, end)];
      r.payload = { head, contentEnd: pos, terminated: true };
      return r;
    }
    pos = end;
  }
  const r: [string] & { payload?: HeredocPayload } = [text.slice(offset)];
  r.payload = { head, contentEnd: text.length, terminated: false };
  return r;
}
