/**
 * Character classes with Go's `unicode` package semantics, on code points.
 * BuildKit's lexer uses unicode.IsSpace / IsLetter / IsDigit; JavaScript's
 * `\s` differs (it has U+FEFF and lacks U+0085), so the sets are explicit.
 */

const LETTER = /\p{L}/u;
const DECIMAL_DIGIT = /\p{Nd}/u;

/** Go's unicode.IsSpace: Latin-1 spaces plus the White_Space property. */
export function isSpace(cp: number): boolean {
  if (cp <= 0xff) {
    return (cp >= 0x09 && cp <= 0x0d) || cp === 0x20 || cp === 0x85 || cp === 0xa0;
  }
  return (
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/** Go's unicode.IsLetter (general category L). */
export function isLetter(cp: number): boolean {
  if (cp < 0x80) {
    return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  }
  return cp >= 0 && LETTER.test(String.fromCodePoint(cp));
}

/** Go's unicode.IsDigit (general category Nd). */
export function isDigit(cp: number): boolean {
  if (cp < 0x80) {
    return cp >= 0x30 && cp <= 0x39;
  }
  return cp >= 0 && DECIMAL_DIGIT.test(String.fromCodePoint(cp));
}

/** Letter, digit or `_`: a character of a variable name. */
export function isNameChar(cp: number): boolean {
  return cp === 0x5f || isLetter(cp) || isDigit(cp);
}

/** The width in UTF-16 code units of a code point. */
export function cpWidth(cp: number): number {
  return cp > 0xffff ? 2 : 1;
}
