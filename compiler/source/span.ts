/**
 * Source positions. A span is a half-open range of UTF-16 offsets into the
 * decoded text of one source file (as esbuild does with byte offsets): cheap
 * to carry on every node; line and column are computed only when a message is
 * printed (see source-file.ts).
 */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export function span(start: number, end: number): Span {
  return { start, end };
}

/** The smallest span covering both. */
export function cover(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}
