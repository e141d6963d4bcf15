/**
 * moby/patternmatcher/ignorefile.ReadAll, ported: the patterns of a
 * .dockerignore file, as docker and BuildKit read them before handing them to
 * PatternMatcher (pattern-matcher.ts). A UTF-8 BOM is dropped from the first
 * line; lines starting with `#` are comments (only at column 0: `  #x` is a
 * pattern); each line is trimmed (Go's TrimSpace), a leading `!` split off
 * and trimmed again, the rest Go-cleaned and a leading `/` dropped.
 * Escapes (`\*`, `\#`...) are kept for the matcher. Pure: the caller reads
 * the file.
 */
import { goClean } from "./go-match.ts";
import { goTrimSpace } from "./go-text.ts";

/** ignorefile.ReadAll: the patterns of a .dockerignore file's text. */
export function readIgnoreFile(text: string): string[] {
  const out: string[] = [];
  const lines = text.split("\n");
  for (const [n, raw] of lines.entries()) {
    // bufio.ScanLines drops the \r of a \r\n line end.
    let line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (n === 0 && line.startsWith("\uFEFF")) line = line.slice(1);
    if (line.startsWith("#")) continue;
    let p = goTrimSpace(line);
    if (p === "") continue;
    const invert = p.startsWith("!");
    if (invert) p = goTrimSpace(p.slice(1));
    if (p.length > 0) {
      p = goClean(p);
      if (p.length > 1 && p.startsWith("/")) p = p.slice(1);
    }
    out.push(invert ? `!${p}` : p);
  }
  return out;
}
