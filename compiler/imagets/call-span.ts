/**
 * How far a builder call reaches on its line: from the call's name to its
 * closing parenthesis, so a finding on `.env({...})` in
 * `from("x").env({...}).cmd("x")` marks that call and not the rest of the
 * chain. A light scan (strings, template literals and their `${}`, nested
 * brackets), not a parser: when the call does not close on its line, it
 * reaches the end of the line.
 */

/** The end (exclusive) of the call at `offset` on its line, which ends at `lineEnd`. */
export function callEnd(text: string, offset: number, lineEnd: number): number {
  let i = offset;
  while (i < lineEnd && /[\w$]/.test(text[i] ?? "")) i++;
  if (text[i] !== "(") return lineEnd;
  /** Open brackets and template literals: `(`, `[`, `{`, or "`" inside which `${` opens a `{`. */
  const open: string[] = [];
  for (; i < lineEnd; i++) {
    const c = text[i] as string;
    const inTemplate = open[open.length - 1] === "`";
    if (inTemplate) {
      if (c === "\\") i++;
      else if (c === "`") open.pop();
      else if (c === "$" && text[i + 1] === "{") {
        open.push("{");
        i++;
      }
      continue;
    }
    if (c === '"' || c === "'") {
      for (i++; i < lineEnd && text[i] !== c; i++) if (text[i] === "\\") i++;
    } else if (c === "`" || c === "(" || c === "[" || c === "{") open.push(c);
    else if (c === ")" || c === "]" || c === "}") {
      open.pop();
      if (open.length === 0) return i + 1;
    }
  }
  return lineEnd;
}
