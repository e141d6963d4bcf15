/**
 * image.ts strings ↔ Dockerfile words.
 *
 * A string of image.ts expands `$VAR`/`${VAR}` like a Dockerfile word, but
 * its quotes and backslashes are literal; `\$` is a literal dollar. So a
 * string becomes a word by escaping quotes and backslashes (escape char `\`),
 * keeping `\$` as the word's own escaped dollar.
 */

/** The Dockerfile word (escape char `\`) that expands like the image.ts string `s`. */
export function literalWord(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "\\") out += s[i + 1] === "$" ? "\\" : "\\\\";
    else if (c === '"' || c === "'") out += `\\${c}`;
    else out += c;
  }
  return out;
}

/**
 * The image.ts string that expands like the raw Dockerfile word `raw`
 * (quotes removed, escapes resolved, `$` references kept), or undefined when
 * the word cannot be written that way (a literal backslash before a `$`
 * reference, quotes inside `${...}`).
 */
export function wordToString(raw: string, escapeChar: "\\" | "`"): string | undefined {
  let out = "";
  let i = 0;
  const literal = (c: string): boolean => {
    if (c === "$") out += "\\$";
    else out += c;
    return true;
  };
  const reference = (): boolean => {
    // `$NAME`, `${...}` (to the matching brace), or a lone `$`.
    if (raw[i + 1] === "{") {
      let depth = 0;
      let j = i;
      for (; j < raw.length; j++) {
        if (raw[j] === "{") depth++;
        else if (raw[j] === "}" && --depth === 0) break;
      }
      const ref = raw.slice(i, j + 1);
      if (/["'\\`]/.test(ref)) return false;
      if (out.endsWith("\\")) return false;
      out += ref;
      i = j + 1;
      return true;
    }
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*|[0-9*#?@$!-])/.exec(raw.slice(i));
    if (m === null) {
      out += "\\$";
      i++;
      return true;
    }
    if (out.endsWith("\\")) return false;
    out += m[0];
    i += m[0].length;
    return true;
  };
  while (i < raw.length) {
    const c = raw[i] as string;
    if (c === escapeChar) {
      const next = raw[i + 1];
      if (next === undefined) {
        literal(c);
        i++;
      } else {
        literal(next);
        i += 2;
      }
    } else if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      if (end < 0) return undefined;
      for (const ch of raw.slice(i + 1, end)) literal(ch);
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < raw.length && raw[i] !== '"') {
        const d = raw[i] as string;
        if (d === escapeChar && raw[i + 1] !== undefined && ["$", '"', escapeChar, "`"].includes(raw[i + 1] as string)) {
          literal(raw[i + 1] as string);
          i += 2;
        } else if (d === "$") {
          if (!reference()) return undefined;
        } else {
          literal(d);
          i++;
        }
      }
      if (raw[i] !== '"') return undefined;
      i++;
    } else if (c === "$") {
      if (!reference()) return undefined;
    } else {
      literal(c);
      i++;
    }
  }
  return out;
}
