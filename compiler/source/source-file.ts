import type { Span } from "./span.ts";

/** 1-based line and column, as editors and `FILE:LINE:COL` print them. */
export interface LineCol {
  readonly line: number;
  readonly column: number;
}

/**
 * A source file's name and decoded text, with a lazily built index of line
 * starts so that offsets turn into line:column only when needed.
 */
export class SourceFile {
  readonly name: string;
  readonly text: string;
  #lineStarts: number[] | undefined;

  constructor(name: string, text: string) {
    this.name = name;
    this.text = text;
  }

  get lineStarts(): readonly number[] {
    if (this.#lineStarts === undefined) {
      const starts = [0];
      const t = this.text;
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (c === 10) starts.push(i + 1);
        else if (c === 13 && t.charCodeAt(i + 1) !== 10) starts.push(i + 1);
      }
      this.#lineStarts = starts;
    }
    return this.#lineStarts;
  }

  lineCol(offset: number): LineCol {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
  }

  /** The text of 1-based line `line`, without its line ending. */
  lineText(line: number): string {
    const starts = this.lineStarts;
    const from = starts[line - 1];
    if (from === undefined) return "";
    const next = starts[line];
    let to = next === undefined ? this.text.length : next;
    while (to > from && (this.text[to - 1] === "\n" || this.text[to - 1] === "\r")) to--;
    return this.text.slice(from, to);
  }

  /** `name:line:col` of a span's start. */
  where(s: Span): string {
    const { line, column } = this.lineCol(s.start);
    return `${this.name}:${line}:${column}`;
  }
}
