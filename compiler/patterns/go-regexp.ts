/**
 * Go's regexp syntax (RE2 as `regexp.Compile` reads it: Perl flags, so `.`
 * stops at `\n`, negated classes match it, `^`/`$` anchor the whole text)
 * turned into an equivalent JavaScript RegExp.
 *
 * Why: moby/patternmatcher matches a .dockerignore pattern by building a Go
 * regexp from it (see pattern-matcher.ts); the user's text passes through
 * into that regexp (`[^a]`, `\d`, `\x41`, `\Q...\E`...), so handing the
 * string to JavaScript's RegExp as it is would change its meaning. Character
 * classes are resolved to code point ranges here and written out explicitly,
 * so Go's definitions of `\s`, `\w`, `\d` and the POSIX `[:name:]` classes
 * hold. Not supported (a PatternError, as an invalid Go regexp is): Unicode
 * classes (`\p{..}`), flag groups (`(?i)`), `\C`.
 */
import { PatternError } from "./go-match.ts";

type Range = readonly [number, number];

const MAX_RUNE = 0x10ffff;
const DIGIT: readonly Range[] = [[0x30, 0x39]];
const WORD: readonly Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
/** Go's `\s` is `[\t\n\f\r ]` (no `\v`, no Unicode spaces). */
const SPACE: readonly Range[] = [
  [0x09, 0x0a],
  [0x0c, 0x0d],
  [0x20, 0x20],
];
const POSIX: Readonly<Record<string, readonly Range[]>> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: DIGIT,
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: WORD,
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};
const PERL: Readonly<Record<string, readonly Range[]>> = { d: DIGIT, s: SPACE, w: WORD };

function merge(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function negate(ranges: readonly Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of merge(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

const rune = (c: number): string => (/^[A-Za-z0-9_]$/.test(String.fromCodePoint(c)) ? String.fromCodePoint(c) : `\\u{${c.toString(16)}}`);

function classText(ranges: readonly Range[], negated = false): string {
  const body = merge(ranges)
    .map(([lo, hi]) => (lo === hi ? rune(lo) : `${rune(lo)}-${rune(hi)}`))
    .join("");
  return `[${negated ? "^" : ""}${body}]`;
}

const isOctal = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "7";
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

/** Converts the Go regexp `source` into a JavaScript RegExp that matches the same strings. Throws PatternError. */
export function goRegExp(source: string): RegExp {
  const r = Array.from(source);
  let i = 0;
  const fail = (why: string): PatternError => new PatternError(`invalid pattern regexp ${JSON.stringify(source)}: ${why}`);

  /** regexp/syntax parseEscape, the backslash already consumed: the rune it stands for. */
  const escapedRune = (): number => {
    const c = r[i++];
    if (c === undefined) throw fail("trailing backslash");
    if (c >= "1" && c <= "7" && !isOctal(r[i])) throw fail(`invalid escape \\${c} (backreferences are not supported)`);
    if (c >= "0" && c <= "7") {
      let v = Number(c);
      for (let k = 1; k < 3 && isOctal(r[i]); k++) v = v * 8 + Number(r[i++]);
      return v;
    }
    if (c === "x") {
      if (r[i] === "{") {
        i++;
        let hex = "";
        while (isHex(r[i])) hex += r[i++];
        if (hex === "" || r[i] !== "}" || Number.parseInt(hex, 16) > MAX_RUNE) throw fail("invalid \\x{...} escape");
        i++;
        return Number.parseInt(hex, 16);
      }
      if (!isHex(r[i]) || !isHex(r[i + 1])) throw fail("invalid \\x escape");
      const v = Number.parseInt(`${r[i]}${r[i + 1]}`, 16);
      i += 2;
      return v;
    }
    const simple: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
    if (simple[c] !== undefined) return simple[c];
    const code = c.codePointAt(0) as number;
    if (code < 0x80 && !/[A-Za-z0-9]/.test(c)) return code;
    throw fail(`invalid escape \\${c}`);
  };

  /** A Perl class escape (`\d` ...) at i, as ranges, or undefined. */
  const perlClass = (): Range[] | undefined => {
    const c = r[i + 1];
    if (r[i] !== "\\" || c === undefined) return undefined;
    const set = PERL[c.toLowerCase()];
    if (set === undefined || !"dDsSwW".includes(c)) return undefined;
    i += 2;
    return c === c.toUpperCase() ? negate(set) : [...set];
  };

  const classChar = (): number => {
    const c = r[i++];
    if (c === undefined) throw fail("missing closing ]");
    return c === "\\" ? escapedRune() : (c.codePointAt(0) as number);
  };

  /** regexp/syntax parseClass, the `[` already consumed. */
  const parseClass = (): string => {
    let negated = false;
    if (r[i] === "^") {
      negated = true;
      i++;
    }
    const ranges: Range[] = [];
    let first = true;
    while (r[i] !== "]" || first) {
      if (i >= r.length) throw fail("missing closing ]");
      first = false;
      if (r[i] === "[" && r[i + 1] === ":") {
        const end = r.indexOf(":", i + 2);
        if (end >= 0 && r[end + 1] === "]") {
          let name = r.slice(i + 2, end).join("");
          const neg = name.startsWith("^");
          if (neg) name = name.slice(1);
          const set = POSIX[name];
          if (set === undefined) throw fail(`invalid character class [:${name}:]`);
          ranges.push(...(neg ? negate(set) : set));
          i = end + 2;
          continue;
        }
      }
      if (r[i] === "\\" && (r[i + 1] === "p" || r[i + 1] === "P")) throw fail("Unicode classes are not supported");
      const perl = perlClass();
      if (perl !== undefined) {
        ranges.push(...perl);
        continue;
      }
      const lo = classChar();
      let hi = lo;
      if (r[i] === "-" && r[i + 1] !== undefined && r[i + 1] !== "]") {
        i++;
        hi = classChar();
        if (hi < lo) throw fail("invalid character class range");
      }
      ranges.push([lo, hi]);
    }
    i++;
    return classText(ranges, negated);
  };

  let out = "";
  while (i < r.length) {
    const c = r[i] as string;
    if (c === "\\") {
      const next = r[i + 1];
      if (next === "A" || next === "z" || next === "b" || next === "B") {
        out += { A: "(?<![\\s\\S])", z: "(?![\\s\\S])", b: "\\b", B: "\\B" }[next];
        i += 2;
      } else if (next === "Q") {
        i += 2;
        while (i < r.length && !(r[i] === "\\" && r[i + 1] === "E")) out += rune((r[i++] as string).codePointAt(0) as number);
        if (i < r.length) i += 2;
      } else if (next === "p" || next === "P") throw fail("Unicode classes are not supported");
      else if (next === "C") throw fail("invalid escape \\C");
      else {
        const perl = perlClass();
        if (perl !== undefined) out += classText(perl);
        else {
          i++;
          out += rune(escapedRune());
        }
      }
      continue;
    }
    i++;
    if (c === "[") out += parseClass();
    else if (c === ".") out += "[^\\n]";
    else if (c === "(") {
      if (r[i] === "?") throw fail("flag and named groups are not supported");
      out += "(?:";
    } else if (c === "{") {
      // A repeat when it reads as one, else a literal brace (as in Go).
      const m = /^(\d+)(,\d*)?\}/.exec(r.slice(i, i + 16).join(""));
      if (m) {
        out += `{${m[0]}`;
        i += m[0].length;
      } else out += rune(0x7b);
    } else if (")|^$*+?".includes(c)) out += c;
    else out += rune(c.codePointAt(0) as number);
  }
  try {
    return new RegExp(out, "u");
  } catch (e) {
    throw fail((e as Error).message);
  }
}
