/**
 * Go's `strings.TrimSpace`, which .dockerignore reading and
 * moby/patternmatcher apply to every pattern. Ported rather than using
 * `String.prototype.trim` because the two disagree on what is space: Go trims
 * U+0085 (NEL) and keeps U+FEFF (a BOM is only dropped from the first line of
 * the file), JavaScript does the opposite.
 */

/** unicode.IsSpace: Latin-1 space characters and Unicode's White_Space. */
function isGoSpace(c: number): boolean {
  if (c <= 0xff) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0xa0;
  return c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** strings.TrimSpace. */
export function goTrimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  // Every Go space character is in the BMP, so UTF-16 code units suffice.
  while (start < end && isGoSpace(s.charCodeAt(start))) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}
