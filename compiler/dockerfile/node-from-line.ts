/**
 * newNodeFromLine: one logical line (or, for ONBUILD, part of one) to a generic
 * `Node`, with values split as BuildKit's dispatch table splits them.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { Span } from "../source/span.ts";
import type { Flag, Heredoc, Node, Word } from "./ast.ts";
import { isBlank, isSpace } from "./chars.ts";
import { parseJsonArray, parseWords, type Piece, splitCommand, splitWhitespace } from "./line-parsers.ts";
import { type LogicalLine, mapEnd, mapStart } from "./logical-line.ts";

export interface LineContext {
  readonly file: string;
  readonly escape: number;
  readonly diagnostics: Diagnostic[];
}

function spanOf(ll: LogicalLine, start: number, end: number): Span {
  const s = mapStart(ll.segs, start);
  return { start: s, end: end > start ? mapEnd(ll.segs, end) : s };
}

function word(ll: LogicalLine, p: Piece): Word {
  return { text: p.text, span: spanOf(ll, p.start, p.end) };
}

function flagOf(ll: LogicalLine, p: Piece): Flag {
  const raw = ll.text.slice(p.start, p.end);
  const body = p.text.startsWith("--") ? p.text.slice(2) : p.text;
  const eq = body.indexOf("=");
  const rawEq = raw.indexOf("=");
  const span = spanOf(ll, p.start, p.end);
  const valueSpan = rawEq >= 0 ? spanOf(ll, p.start + rawEq + 1, p.end) : { start: span.end, end: span.end };
  return {
    name: eq >= 0 ? body.slice(0, eq) : body,
    value: eq >= 0 ? body.slice(eq + 1) : undefined,
    text: p.text,
    span,
    valueSpan,
  };
}

function error(ctx: LineContext, code: string, message: string, span: Span): undefined {
  ctx.diagnostics.push({ code, severity: "error", message, file: ctx.file, span });
  return undefined;
}

interface Values {
  values: Word[];
  json: boolean;
}

/** parseMaybeJSON (toList=false) / parseMaybeJSONToList (toList=true). */
function maybeJson(ll: LogicalLine, rest: Piece, toList: boolean, ctx: LineContext): Values | undefined {
  if (rest.text === "") return { values: [], json: false };
  const j = parseJsonArray(rest.text);
  if (j === "not-string-array") {
    return error(ctx, "DF007", "when using JSON array syntax, arrays must be comprised of strings only", spanOf(ll, rest.start, rest.end));
  }
  if (j !== "not-json") {
    const span = spanOf(ll, rest.start, rest.end);
    return { values: j.map((text) => ({ text, span })), json: true };
  }
  if (!toList) return { values: [word(ll, rest)], json: false };
  return { values: splitWhitespace(ll.text, rest.start, rest.end).map((p) => word(ll, p)), json: false };
}

/** parseNameVal for ENV and LABEL: triples key, value, sep. */
function nameVal(ll: LogicalLine, rest: Piece, keyword: string, ctx: LineContext): Word[] | undefined {
  const words = parseWords(ll.text, rest.start, rest.end, ctx.escape);
  const first = words[0];
  if (first === undefined) return [];
  const t = ll.text;
  if (!first.text.includes("=")) {
    let i = rest.start;
    while (i < rest.end && !isBlank(t.charCodeAt(i))) i++;
    let j = i;
    while (j < rest.end && isBlank(t.charCodeAt(j))) j++;
    if (i >= rest.end) {
      return error(ctx, "DF008", `${keyword.toUpperCase()} must have two arguments`, spanOf(ll, rest.start, rest.end));
    }
    return [
      word(ll, { text: t.slice(rest.start, i), start: rest.start, end: i }),
      word(ll, { text: t.slice(j, rest.end), start: j, end: rest.end }),
      { text: "", span: spanOf(ll, i, i) },
    ];
  }
  const out: Word[] = [];
  for (const w of words) {
    const eq = w.text.indexOf("=");
    if (eq < 0) {
      return error(
        ctx,
        "DF009",
        `Syntax error - can't find = in ${JSON.stringify(w.text)}. Must be of the form: name=value`,
        spanOf(ll, w.start, w.end),
      );
    }
    out.push(
      word(ll, { text: w.text.slice(0, eq), start: w.start, end: w.start + eq }),
      word(ll, { text: w.text.slice(eq + 1), start: w.start + eq + 1, end: w.end }),
      { text: "=", span: spanOf(ll, w.start + eq, w.start + eq + 1) },
    );
  }
  return out;
}

/** Builds the node for ll.text[from, to); undefined (with a diagnostic) when BuildKit's parser rejects it. */
export function nodeFromLine(ll: LogicalLine, from: number, to: number, ctx: LineContext, heredocs: readonly Heredoc[]): Node | undefined {
  const sc = splitCommand(ll.text, from, to);
  const keyword = sc.cmd.text.toLowerCase();
  const rest = sc.rest;
  let values: Word[] = [];
  let json = false;
  let next: Node | undefined;
  switch (keyword) {
    case "add":
    case "copy":
    case "volume":
    case "cmd":
    case "entrypoint":
    case "run":
    case "shell": {
      const v = maybeJson(ll, rest, keyword === "add" || keyword === "copy" || keyword === "volume", ctx);
      if (v === undefined) return undefined;
      values = v.values;
      json = v.json;
      break;
    }
    case "arg":
      values = parseWords(ll.text, rest.start, rest.end, ctx.escape).map((p) => word(ll, p));
      break;
    case "env":
    case "label": {
      const v = nameVal(ll, rest, keyword, ctx);
      if (v === undefined) return undefined;
      values = v;
      break;
    }
    case "expose":
    case "from":
      values = splitWhitespace(ll.text, rest.start, rest.end).map((p) => word(ll, p));
      break;
    case "healthcheck": {
      if (rest.text === "") break;
      const t = ll.text;
      let sep = rest.start;
      while (sep < rest.end && !isSpace(t.charCodeAt(sep))) sep++;
      let nx = sep;
      while (nx < rest.end && isSpace(t.charCodeAt(nx))) nx++;
      const v = maybeJson(ll, { text: t.slice(nx, rest.end), start: nx, end: rest.end }, false, ctx);
      if (v === undefined) return undefined;
      values = [word(ll, { text: t.slice(rest.start, sep), start: rest.start, end: sep }), ...v.values];
      json = v.json;
      break;
    }
    case "maintainer":
    case "stopsignal":
    case "user":
    case "workdir":
      if (rest.text !== "") values = [word(ll, rest)];
      break;
    case "onbuild":
      if (rest.text !== "") {
        next = nodeFromLine(ll, rest.start, rest.end, ctx, heredocs);
        if (next === undefined) return undefined;
      }
      break;
    default:
      values = [{ text: "", span: spanOf(ll, rest.start, rest.start) }];
  }
  const [a, b] = [sc.cmd.start, Math.max(sc.cmd.end, rest.end)];
  return {
    keyword,
    keywordText: sc.cmd.text,
    keywordSpan: spanOf(ll, sc.cmd.start, sc.cmd.end),
    flags: sc.flags.map((f) => flagOf(ll, f)),
    values,
    json,
    rest: word(ll, rest),
    heredocs,
    next,
    span: spanOf(ll, a, b),
  };
}
