/**
 * BuildKit's per-instruction splitting of a logical line (parser/split_command.go
 * and parser/line_parsers.go), reimplemented on offsets: every piece carries its
 * [start, end) in the logical line so that the AST builder can map it back to
 * the source. Pure functions over strings; problems are returned, never thrown.
 */
import { isBlank, isSpace, trimBounds } from "./chars.ts";

/** A piece of the logical line: text (possibly unquoted/decoded) and its bounds. */
export interface Piece {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export interface SplitLine {
  readonly cmd: Piece;
  readonly flags: readonly Piece[];
  /** The arguments after the flags, trimmed. */
  readonly rest: Piece;
}

/** splitCommand: keyword, leading `--flag` words, and the trimmed rest. */
export function splitCommand(line: string, from = 0, to = line.length): SplitLine {
  const [a, b] = trimBounds(line, from, to);
  let i = a;
  while (i < b && !isBlank(line.charCodeAt(i))) i++;
  const cmd = { text: line.slice(a, i), start: a, end: i };
  if (i >= b) return { cmd, flags: [], rest: { text: "", start: b, end: b } };
  while (i < b && isBlank(line.charCodeAt(i))) i++;
  const flags: Piece[] = [];
  const restStart = extractFlags(line, i, b, flags);
  const [rs, re] = trimBounds(line, restStart, b);
  return { cmd, flags, rest: { text: line.slice(rs, re), start: rs, end: re } };
}

/** extractBuilderFlags on line[from, to): pushes flag words, returns where the rest starts. */
function extractFlags(line: string, from: number, to: number, out: Piece[]): number {
  let pos = from;
  for (;;) {
    while (pos < to && isSpace(line.charCodeAt(pos))) pos++;
    if (pos >= to) return to;
    if (line.charCodeAt(pos) !== 45 || pos + 1 >= to || line.charCodeAt(pos + 1) !== 45) return pos;
    const start = pos;
    let word = "";
    let quote = 0;
    let blankOK = false;
    for (; pos < to; pos++) {
      let ch = line.charCodeAt(pos);
      if (quote === 0) {
        if (isSpace(ch)) break;
        if (ch === 39 || ch === 34) {
          quote = ch;
          blankOK = true;
          continue;
        }
      } else if (ch === quote) {
        quote = 0;
        continue;
      }
      if (ch === 92) {
        if (pos + 1 === to) {
          if (quote !== 0) quote = 0;
          continue;
        }
        pos++;
        ch = line.charCodeAt(pos);
      }
      word += String.fromCharCode(ch);
    }
    if (word === "--") return pos;
    if (blankOK || word.length > 0) out.push({ text: word, start, end: pos });
  }
}

/** parseWords: quote-aware words, quotes and escapes kept. */
export function parseWords(line: string, from: number, to: number, esc: number): Piece[] {
  const words: Piece[] = [];
  let pos = from;
  for (;;) {
    while (pos < to && isSpace(line.charCodeAt(pos))) pos++;
    if (pos >= to) return words;
    const start = pos;
    let quote = 0;
    let blankOK = false;
    let plain = true; // word text equals the source slice so far
    let text = "";
    for (; pos < to; pos++) {
      let ch = line.charCodeAt(pos);
      if (quote === 0) {
        if (isSpace(ch)) break;
        if (ch === 39 || ch === 34) {
          quote = ch;
          blankOK = true;
        } else if (ch === esc) {
          if (pos + 1 === to) {
            // an escape at the very end is dropped
            if (plain) {
              text = line.slice(start, pos);
              plain = false;
            }
            continue;
          }
          if (!plain) text += String.fromCharCode(ch);
          pos++;
          ch = line.charCodeAt(pos);
        }
      } else {
        if (ch === quote) quote = 0;
        else if (ch === esc && quote !== 39) {
          if (pos + 1 === to) {
            if (plain) {
              text = line.slice(start, pos);
              plain = false;
            }
            quote = 0;
            continue;
          }
          if (!plain) text += String.fromCharCode(ch);
          pos++;
          ch = line.charCodeAt(pos);
        }
      }
      if (!plain) text += String.fromCharCode(ch);
    }
    const t = plain ? line.slice(start, pos) : text;
    if (blankOK || t.length > 0) words.push({ text: t, start, end: pos });
  }
}

/** reWhitespace.Split(rest, -1) on an already trimmed range. */
export function splitWhitespace(line: string, from: number, to: number): Piece[] {
  const out: Piece[] = [];
  if (from >= to) return out;
  let start = from;
  let i = from;
  while (i < to) {
    if (isBlank(line.charCodeAt(i))) {
      out.push({ text: line.slice(start, i), start, end: i });
      while (i < to && isBlank(line.charCodeAt(i))) i++;
      start = i;
    } else i++;
  }
  out.push({ text: line.slice(start, to), start, end: to });
  return out;
}

export type JsonResult = readonly string[] | "not-json" | "not-string-array";

/**
 * Where the JSON value opening at `text[from]` (`[` or `{`) ends: the index after its closing
 * bracket, or -1 when it never closes. Strings are skipped with their escapes; whether the value
 * is valid JSON is left to the decoder.
 */
function jsonValueEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
      if (i >= text.length) return -1;
    } else if (ch === 91 || ch === 123) depth++;
    else if ((ch === 93 || ch === 125) && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * parseJSON: a JSON array of strings, decoded. As BuildKit's `json.NewDecoder(rest).Decode`,
 * only the first JSON value is read: text after the array (`["x"] # comment`) is ignored.
 */
export function parseJsonArray(text: string): JsonResult {
  let i = 0;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== 91) return "not-json";
  const end = jsonValueEnd(text, i);
  if (end < 0) return "not-json";
  let v: unknown;
  try {
    v = JSON.parse(text.slice(i, end));
  } catch {
    return "not-json";
  }
  if (!Array.isArray(v)) return "not-json";
  for (const s of v) if (typeof s !== "string") return "not-string-array";
  return v as string[];
}
