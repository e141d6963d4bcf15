/**
 * Go's text/tabwriter, padded with spaces: tab-terminated cells are aligned in column blocks of
 * consecutive lines (elastic tabstops); a line's text after its last tab is not padded. The one
 * table writer of the CLI: by default with the settings of docker's formatter, which lays out
 * every table of the list commands, `--format table …` or not (docker/cli formatter.go
 * postFormat: `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`); `docker version` uses minwidth 20,
 * padding 1; docker's `top` minwidth 20, padding 3.
 */
export interface TabOptions {
  /** The least width of a column, padding included. */
  readonly minWidth: number;
  /** Spaces added to a column's widest cell. */
  readonly padding: number;
}

export const FORMATTER_TABS: TabOptions = { minWidth: 10, padding: 3 };

const width = (s: string): number => [...s].length;

export function tabwrite(text: string, options: TabOptions = FORMATTER_TABS): string {
  const { minWidth, padding } = options;
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
        w = Math.max(w, width(cells[column] as string) + padding);
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
