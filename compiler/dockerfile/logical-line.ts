/**
 * Joins the physical lines of one instruction into BuildKit's logical line:
 * the first line loses its leading white space; continuation lines keep theirs;
 * comment and blank lines inside a continuation are dropped; the escape
 * character and any spaces/tabs after it are removed from continued lines.
 *
 * `segs` maps logical offsets back to source offsets: pairs of
 * (logicalStart, sourceStart), one per physical line that contributed text.
 */
import { isSpace } from "./chars.ts";

export const LineKind = { Comment: 0, Blank: 1, Continued: 2, Text: 3 } as const;
export type LineKind = (typeof LineKind)[keyof typeof LineKind];

export interface PhysicalLine {
  readonly start: number;
  readonly end: number;
  readonly kind: LineKind;
}

export interface LogicalLine {
  readonly text: string;
  readonly segs: readonly number[];
}

/** End of a line's content without the trailing \r and \n characters. */
export function contentEnd(src: string, start: number, end: number): number {
  let e = end;
  while (e > start) {
    const c = src.charCodeAt(e - 1);
    if (c === 10 || c === 13) e--;
    else break;
  }
  return e;
}

/** Where the continuation escape sits on a continued line (the lexer guarantees one). */
function escapeAt(src: string, start: number, e: number): number {
  let i = e - 1;
  while (i > start) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 9) i--;
    else break;
  }
  return i;
}

export function joinLines(src: string, lines: readonly PhysicalLine[]): LogicalLine {
  const segs: number[] = [];
  let text = "";
  let first = true;
  for (const l of lines) {
    if (l.kind === LineKind.Comment || l.kind === LineKind.Blank) continue;
    let s = l.start;
    let e = contentEnd(src, l.start, l.end);
    if (first) {
      while (s < e && isSpace(src.charCodeAt(s))) s++;
      first = false;
    }
    if (l.kind === LineKind.Continued) e = Math.max(s, escapeAt(src, s, e));
    if (e > s) {
      segs.push(text.length, s);
      text += lines.length === 1 ? src.slice(s, e) : src.substring(s, e);
    } else if (segs.length === 0) segs.push(0, s);
  }
  if (segs.length === 0) segs.push(0, lines[0]?.start ?? 0);
  return { text, segs };
}

/** Source offset of logical offset `p` (as a start position). */
export function mapStart(segs: readonly number[], p: number): number {
  let i = 0;
  while (i + 2 < segs.length && (segs[i + 2] ?? 0) <= p) i += 2;
  return (segs[i + 1] ?? 0) + p - (segs[i] ?? 0);
}

/** Source offset of logical offset `p` used as an exclusive end. */
export function mapEnd(segs: readonly number[], p: number): number {
  if (p <= 0) return mapStart(segs, 0);
  return mapStart(segs, p - 1) + 1;
}
