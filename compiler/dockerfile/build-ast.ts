/**
 * Walks the CST of a Dockerfile into generic `Node`s (BuildKit's parser.Parse):
 * joins each instruction's physical lines into its logical line, splits it
 * (node-from-line.ts), and attaches heredoc bodies. Problems are collected as
 * diagnostics; an instruction BuildKit's parser rejects yields no node.
 */
import type { CstNode, IToken } from "chevrotain";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { Heredoc, Node } from "./ast.ts";
import { parseCst } from "./grammar.ts";
import { type HeredocHead, instructionHeredocs } from "./heredoc.ts";
import type { HeredocPayload } from "./lexer.ts";
import { contentEnd, joinLines, LineKind, mapStart, type PhysicalLine } from "./logical-line.ts";
import { type LineContext, nodeFromLine } from "./node-from-line.ts";

export interface BuiltAst {
  readonly nodes: Node[];
  /** How many instructions the file has, valid or not. */
  readonly instructionCount: number;
}

function physical(tok: IToken, kind: LineKind): PhysicalLine {
  return { start: tok.startOffset, end: tok.startOffset + tok.image.length, kind };
}

function linesOf(children: CstNode["children"]): PhysicalLine[] {
  const text = children.TextLine as IToken[] | undefined;
  const cont = children.ContinuedLine as IToken[] | undefined;
  if (cont === undefined) return text === undefined ? [] : [physical(text[0] as IToken, LineKind.Text)];
  const out: PhysicalLine[] = [];
  for (const t of cont) out.push(physical(t, LineKind.Continued));
  for (const t of (children.CommentLine as IToken[] | undefined) ?? []) out.push(physical(t, LineKind.Comment));
  for (const t of (children.BlankLine as IToken[] | undefined) ?? []) out.push(physical(t, LineKind.Blank));
  if (text !== undefined) out.push(physical(text[0] as IToken, LineKind.Text));
  if (out.length > cont.length + (text === undefined ? 0 : 1)) out.sort((a, b) => a.start - b.start);
  return out;
}

function heredocsOf(src: string, heads: readonly HeredocHead[], bodies: readonly IToken[], ctx: LineContext, at: number): Heredoc[] {
  const out: Heredoc[] = [];
  for (let i = 0; i < heads.length; i++) {
    const head = heads[i] as HeredocHead;
    const tok = bodies[i];
    const payload = tok?.payload as HeredocPayload | undefined;
    if (tok === undefined || payload === undefined || !payload.terminated) {
      const end = tok === undefined ? src.length : tok.startOffset + tok.image.length;
      ctx.diagnostics.push({
        code: "DF006",
        severity: "error",
        message: `unterminated heredoc <<${head.name}: no line "${head.name}" ends it`,
        file: ctx.file,
        span: { start: at, end: Math.max(at, end) },
        hint: `end the heredoc with a line containing only ${head.name}`,
      });
      continue;
    }
    out.push({
      name: head.name,
      expand: head.expand,
      chomp: head.chomp,
      fd: head.fd,
      content: src.slice(tok.startOffset, payload.contentEnd),
      span: { start: tok.startOffset, end: tok.startOffset + tok.image.length },
    });
  }
  return out;
}

export function buildAst(src: string, esc: string, file: string, diagnostics: Diagnostic[]): BuiltAst {
  const { cst, errors } = parseCst(src, esc);
  for (const e of errors) {
    const off = Number.isFinite(e.token.startOffset) ? Math.min(Math.max(0, e.token.startOffset), src.length) : src.length;
    diagnostics.push({ code: "DF011", severity: "error", message: e.message, file, span: { start: off, end: off } });
  }
  const ctx: LineContext = { file, escape: esc.charCodeAt(0), diagnostics };
  const nodes: Node[] = [];
  const insts = (cst.children.instruction as CstNode[] | undefined) ?? [];
  for (const inst of insts) {
    const ch = inst.children;
    const lines = linesOf(ch);
    if (lines.length === 0) continue;
    const ll = joinLines(src, lines);
    const last = lines[lines.length - 1] as PhysicalLine;
    if (ch.BlankLine !== undefined) {
      const b = (ch.BlankLine as IToken[])[0] as IToken;
      diagnostics.push({
        code: "DF010",
        severity: "warning",
        message: "empty continuation line",
        file,
        span: { start: b.startOffset, end: b.startOffset },
        hint: "remove the empty line or end the instruction before it; empty continuation lines will become errors",
      });
    }
    const bodies = (ch.HeredocBody as IToken[] | undefined) ?? [];
    const heads = ll.text.includes("<<") ? instructionHeredocs(ll.text) : [];
    const startAt = mapStart(ll.segs, 0);
    const heredocs = heads.length === 0 ? [] : heredocsOf(src, heads, bodies, ctx, startAt);
    const node = nodeFromLine(ll, 0, ll.text.length, ctx, heredocs);
    if (node === undefined) continue;
    const lastBody = bodies[bodies.length - 1];
    const end = lastBody !== undefined ? lastBody.startOffset + lastBody.image.length : contentEnd(src, last.start, last.end);
    nodes.push({ ...node, span: { start: Math.min(node.span.start, startAt), end: Math.max(node.span.end, end) } });
  }
  return { nodes, instructionCount: insts.length };
}
