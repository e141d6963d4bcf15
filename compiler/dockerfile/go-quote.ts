/**
 * Go's strconv.Quote: `"` and `\` escaped; \a \b \f \n \r \t \v; other
 * non-printable runes as \xNN (below 0x20, and 0x7f), \uNNNN or \UNNNNNNNN;
 * printable Unicode (letters, marks, numbers, punctuation, symbols, ASCII
 * space) as is. A lone surrogate (invalid in UTF-8) is written as Go writes
 * U+FFFD: as is. The text was decoded from UTF-8 before it got here, so an
 * invalid byte is already U+FFFD (Go, quoting the raw bytes, writes \xNN).
 */
const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;
const SIMPLE = /^[\x20-\x7e]*$/;
const ESCAPES: Record<number, string> = { 7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v" };

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

function escapeRune(ch: string, quote: string): string {
  const c = ch.codePointAt(0) ?? 0;
  if (ch === quote || c === 0x5c) return `\\${ch}`;
  if (c >= 0x20 && c < 0x7f) return ch;
  const simple = ESCAPES[c];
  if (simple !== undefined) return simple;
  if (c < 0x20 || c === 0x7f) return `\\x${hex(c, 2)}`;
  if (c >= 0xd800 && c <= 0xdfff) return "\ufffd";
  if (PRINTABLE.test(ch)) return ch;
  return c < 0x10000 ? `\\u${hex(c, 4)}` : `\\U${hex(c, 8)}`;
}

function quoteWith(s: string, quote: string): string {
  let out = quote;
  for (const ch of s) out += escapeRune(ch, quote);
  return out + quote;
}

export function goQuote(s: string): string {
  if (SIMPLE.test(s) && !s.includes('"') && !s.includes("\\")) return `"${s}"`;
  return quoteWith(s, '"');
}

/** Go's %q of an integer: strconv.QuoteRune ('a', '\x00'); beyond Unicode, fmt's %!q(int=N). */
export function goQuoteRune(n: number): string {
  if (n > 0x10ffff) return `%!q(int=${n})`;
  const valid = n >= 0 && !(n >= 0xd800 && n <= 0xdfff);
  return quoteWith(valid ? String.fromCodePoint(n) : "\ufffd", "'");
}
