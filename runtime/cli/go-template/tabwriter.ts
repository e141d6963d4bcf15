/**
 * Go's text/tabwriter with the settings docker's formatter uses for `table` formats
 * (minwidth 10, padding 3, padded with spaces): tab-terminated cells are aligned in column
 * blocks of consecutive lines (elastic tabstops); a line's text after its last tab is not padded.
 * `minWidth` is another minimal cell width (docker's `top` writes with 20).
 */
const MIN_WIDTH = 10;
const PADDING = 3;

const width = (s: string): number => [...s].length;

export function tabwrite(text: string, minWidth = MIN_WIDTH): string {
  const lines = text.split("\n").map((l) => l.split("\t"));
  const out: string[] = [];
  const widths: number[] = [];
  const write = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i] as string[];
      out.push(cells.map((c, j) => (j < cells.length - 1 && j < widths.length ? c + " ".repeat(Math.max(0, (widths[j] as number) - width(c))) : c)).join(""));
    }
  };
  const format = (start: number, end: number): void => {
    const column = widths.length;
    let line0 = start;
    for (let i = start; i < end; i++) {
      if (column >= (lines[i] as string[]).length - 1) continue;
      write(line0, i);
      line0 = i;
      let w = minWidth;
      for (; i < end; i++) {
        const cells = lines[i] as string[];
        if (column >= cells.length - 1) break;
        w = Math.max(w, width(cells[column] as string) + PADDING);
      }
      widths.push(w);
      format(line0, i);
      widths.pop();
      line0 = i;
      i--;
    }
    write(line0, end);
  };
  format(0, lines.length);
  return out.join("\n");
}
