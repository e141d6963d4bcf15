/**
 * Character classes shared by the Dockerfile lexer and line parsers, matching
 * Go's definitions as BuildKit uses them.
 */

/** Go's unicode.IsSpace, on a UTF-16 code unit. */
export function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** BuildKit's reWhitespace `[\t\v\f\r ]`. */
export function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c || c === 0x0d;
}

/** unicode.IsSpace as a regexp character-class body (without \n). */
export const SPACE_CLASS = "\\t\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/** strings.TrimSpace bounds: [start, end) of `s` without leading/trailing unicode spaces. */
export function trimBounds(s: string, from: number, to: number): [number, number] {
  let a = from;
  let b = to;
  while (a < b && isSpace(s.charCodeAt(a))) a++;
  while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  return [a, b];
}
