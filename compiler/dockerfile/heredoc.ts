/**
 * Heredoc headers (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`) found in the words of
 * a RUN/COPY/ADD line, as BuildKit's heredocsFromLine finds them: the line is
 * split into shell words (quotes and escapes kept, escape always `\`; as BuildKit's
 * shell lexer, white space right after an unquoted `<<` stays in the word, so
 * `<<  EOF` is one word), and each word matching `^(\d*)<<(-?)\s*([^<]*)$` whose
 * delimiter is one shell word opens a heredoc. A delimiter with any quoting
 * disables expansion of the body.
 */
import { isSpace } from "./chars.ts";
import { parseJsonArray, splitCommand } from "./line-parsers.ts";

export interface HeredocHead {
  readonly name: string;
  readonly expand: boolean;
  readonly chomp: boolean;
  readonly fd: number | undefined;
  /** Bounds of the `<<EOF` word in the logical line. */
  readonly start: number;
  readonly end: number;
}

/** Words split on unquoted white space, raw. */
function rawWords(line: string, cb: (start: number, end: number) => void): void {
  let pos = 0;
  const n = line.length;
  while (pos < n) {
    while (pos < n && isSpace(line.charCodeAt(pos))) pos++;
    if (pos >= n) return;
    const start = pos;
    let quote = 0;
    for (; pos < n; pos++) {
      const ch = line.charCodeAt(pos);
      if (quote === 0) {
        if (isSpace(ch)) break;
        if (ch === 60 && line.charCodeAt(pos + 1) === 60) {
          pos += 2;
          while (pos < n && isSpace(line.charCodeAt(pos))) pos++;
          pos--;
        } else if (ch === 39 || ch === 34) quote = ch;
        else if (ch === 92) pos++;
      } else if (ch === quote) quote = 0;
      else if (ch === 92 && quote === 34) pos++;
    }
    if (pos > n) pos = n;
    cb(start, pos);
  }
}

/** Shell-unquotes a delimiter word; undefined when it is not exactly one word. */
function unquote(word: string): { text: string; quoted: boolean } | undefined {
  let out = "";
  let quoted = false;
  let quote = 0;
  for (let i = 0; i < word.length; i++) {
    const ch = word.charCodeAt(i);
    if (quote === 0) {
      if (isSpace(ch)) return undefined;
      if (ch === 39 || ch === 34) {
        quote = ch;
        quoted = true;
        continue;
      }
      if (ch === 92 && i + 1 < word.length) {
        i++;
        out += word[i];
        continue;
      }
    } else if (ch === quote) {
      quote = 0;
      continue;
    } else if (ch === 92 && quote === 34 && i + 1 < word.length) {
      const nx = word.charCodeAt(i + 1);
      if (nx === 34 || nx === 92 || nx === 36) {
        i++;
        out += word[i];
        continue;
      }
    }
    out += word[i];
  }
  if (quote !== 0) return undefined;
  return { text: out, quoted };
}

/** The heredoc header of one word, if it is one. */
export function parseHeredocWord(word: string): Omit<HeredocHead, "start" | "end"> | undefined {
  let i = 0;
  while (i < word.length && word.charCodeAt(i) >= 48 && word.charCodeAt(i) <= 57) i++;
  if (word.charCodeAt(i) !== 60 || word.charCodeAt(i + 1) !== 60) return undefined;
  const fdText = word.slice(0, i);
  i += 2;
  let chomp = false;
  if (word.charCodeAt(i) === 45) {
    chomp = true;
    i++;
  }
  while (i < word.length && isSpace(word.charCodeAt(i))) i++;
  const rest = word.slice(i);
  if (rest.length === 0 || rest.includes("<")) return undefined;
  const u = unquote(rest);
  if (u === undefined || u.text.length === 0) return undefined;
  const fd = fdText === "" ? undefined : Number.parseInt(fdText, 10);
  return { name: u.text, expand: !u.quoted, chomp, fd: fd !== undefined && Number.isSafeInteger(fd) ? fd : undefined };
}

/** All heredoc headers in a logical line. */
export function heredocsFromLine(line: string): HeredocHead[] {
  const out: HeredocHead[] = [];
  if (!line.includes("<<")) return out;
  rawWords(line, (start, end) => {
    if (end - start < 3) return;
    const h = parseHeredocWord(line.slice(start, end));
    if (h !== undefined) out.push({ ...h, start, end });
  });
  return out;
}

const HEREDOC_KEYWORDS = new Set(["run", "copy", "add"]);

/**
 * canContainHeredoc + heredocsFromLine: the heredocs opened by an instruction
 * line (RUN/COPY/ADD, also under ONBUILD), none when its arguments are JSON.
 */
export function instructionHeredocs(line: string): HeredocHead[] {
  if (!line.includes("<<")) return [];
  let sc = splitCommand(line);
  let kw = sc.cmd.text.toLowerCase();
  if (kw === "onbuild") {
    sc = splitCommand(line, sc.rest.start, sc.rest.end);
    kw = sc.cmd.text.toLowerCase();
  }
  if (!HEREDOC_KEYWORDS.has(kw)) return [];
  if (parseJsonArray(sc.rest.text) !== "not-json") return [];
  return heredocsFromLine(line);
}
