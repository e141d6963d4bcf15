/**
 * The word lexer: BuildKit's shellWord (frontend/dockerfile/shell/lex.go)
 * re-done over UTF-16 text by code points. It consumes input exactly as
 * BuildKit's scanner does, so the same inputs succeed, fail and split alike.
 * Failures are recorded on the lexer and signalled by a `null` return.
 */

import { cpWidth, isDigit, isNameChar } from "./chars.ts";
import { replacePattern, type SubstituteResult, trimPrefix, trimSuffix } from "./substitute.ts";
import type { ShellEnv } from "./types.ts";
import type { WordSplitter } from "./words.ts";

const EOF = -1;
const DOLLAR = 0x24;
const SQUOTE = 0x27;
const DQUOTE = 0x22;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const COLON = 0x3a;
const SLASH = 0x2f;
const PLUS = 0x2b;
const MINUS = 0x2d;
const QUESTION = 0x3f;
const HASH = 0x23;
const PERCENT = 0x25;
const BOM = 0xfeff;

/** Nesting of `${…}` beyond which expansion fails instead of overflowing the stack. */
export const MAX_NESTING = 400;

function isSpecialParam(cp: number): boolean {
  switch (cp) {
    case 0x40: // @
    case 0x2a: // *
    case HASH:
    case QUESTION:
    case MINUS:
    case DOLLAR:
    case 0x21: // !
    case 0x30: // 0
      return true;
    default:
      return false;
  }
}

/** Go's string(rune) for a modifier in a message (EOF is U+FFFD there). */
function runeText(cp: number): string {
  return cp < 0 ? "\uFFFD" : String.fromCodePoint(cp);
}

export class WordLexer {
  private readonly src: string;
  private readonly env: ShellEnv;
  private readonly esc: number;
  private readonly escText: string;
  private pos = 0;
  private raw = false;
  private depth = 0;
  /** Name → whether it was set, in first-reference order. */
  readonly refs = new Map<string, boolean>();
  errorMessage = "";
  errorOffset = 0;

  private readonly rawQuotes: boolean;

  constructor(src: string, env: ShellEnv, escapeToken: string, rawQuotes = false) {
    this.src = src;
    this.rawQuotes = rawQuotes;
    this.env = env;
    this.escText = escapeToken;
    this.esc = escapeToken.charCodeAt(0);
    // Go's text/scanner skips a byte order mark at the very start.
    if (src.charCodeAt(0) === BOM) this.pos = 1;
  }

  /** Expands the whole word; `words` receives the split words. Null on failure. */
  run(words: WordSplitter | null): string | null {
    return this.processStopOn(EOF, this.rawQuotes, words);
  }

  private peek(): number {
    return this.pos < this.src.length ? (this.src.codePointAt(this.pos) as number) : EOF;
  }

  private next(): number {
    const cp = this.peek();
    if (cp !== EOF) this.pos += cpWidth(cp);
    return cp;
  }

  private fail(message: string, offset: number): null {
    this.errorMessage = message;
    this.errorOffset = offset;
    return null;
  }

  private lookup(name: string): string | undefined {
    const value = this.env(name);
    if (!this.refs.has(name)) this.refs.set(name, value !== undefined);
    return value;
  }

  /** Up to `stop` (consumed) or the end; `raw` keeps escape characters. */
  private processStopOn(stop: number, raw: boolean, words: WordSplitter | null): string | null {
    const saved = this.raw;
    this.raw = raw;
    const result = this.processLoop(stop, words);
    this.raw = saved;
    return result;
  }

  private processLoop(stop: number, words: WordSplitter | null): string | null {
    const src = this.src;
    let result = "";
    for (;;) {
      const ch = this.peek();
      if (ch === EOF) break;
      if (stop !== EOF && ch === stop) {
        this.next();
        return result;
      }
      if (ch === DOLLAR) {
        const value = this.processDollar();
        if (value === null) return null;
        result += value;
        words?.addString(value);
      } else if ((ch === SQUOTE || ch === DQUOTE) && !this.rawQuotes) {
        const value = ch === SQUOTE ? this.processSingleQuote() : this.processDoubleQuote();
        if (value === null) return null;
        result += value;
        words?.addRaw(value);
      } else {
        let start = this.pos;
        let c = this.next();
        if (c === this.esc) {
          if (this.raw) {
            words?.addRaw(this.escText);
            result += this.escText;
          }
          start = this.pos;
          c = this.next();
          if (c === EOF) break;
          const text = src.slice(start, this.pos);
          words?.addRaw(text);
          result += text;
        } else {
          const text = src.slice(start, this.pos);
          words?.addChar(c, text);
          result += text;
        }
      }
    }
    if (stop !== EOF) {
      return this.fail(
        `unexpected end of statement while looking for matching ${runeText(stop)}`,
        this.pos,
      );
    }
    return result;
  }

  /** `'…'`: everything literal up to the next `'`. */
  private processSingleQuote(): string | null {
    const open = this.pos;
    const close = this.src.indexOf("'", open + 1);
    if (close < 0) {
      this.pos = this.src.length;
      return this.fail("unexpected end of statement while looking for matching single-quote", open);
    }
    this.pos = close + 1;
    return this.src.slice(open + 1, close);
  }

  /** `"…"`: literal except `$` expansions and escapes of `"`, `$` and the escape character. */
  private processDoubleQuote(): string | null {
    const open = this.pos;
    this.next();
    let result = "";
    for (;;) {
      const ch = this.peek();
      if (ch === EOF) {
        return this.fail("unexpected end of statement while looking for matching double-quote", open);
      }
      if (ch === DQUOTE) {
        this.next();
        return result;
      }
      if (ch === DOLLAR) {
        const value = this.processDollar();
        if (value === null) return null;
        result += value;
        continue;
      }
      const start = this.pos;
      const c = this.next();
      if (c !== this.esc) {
        result += this.src.slice(start, this.pos);
        continue;
      }
      if (this.raw) result += this.escText;
      const p = this.peek();
      if (p === EOF) continue;
      if (p === DQUOTE || p === DOLLAR || p === this.esc) {
        const at = this.pos;
        this.next();
        result += this.src.slice(at, this.pos);
      } else {
        result += this.escText;
      }
    }
  }

  /** `$name`, `${name}` and `${name<modifier>…}`. */
  private processDollar(): string | null {
    const dollarAt = this.pos;
    this.next();
    if (this.peek() !== LBRACE) {
      const name = this.processName();
      if (name === "") return "$";
      return this.lookup(name) ?? "";
    }
    this.next();
    const first = this.peek();
    if (first === EOF) return this.fail("syntax error: missing '}'", dollarAt);
    if (first === LBRACE || first === RBRACE || first === COLON) {
      return this.fail("syntax error: bad substitution", dollarAt);
    }
    const name = this.processName();
    const modifierAt = this.pos;
    let ch = this.next();
    let modifier = runeText(ch);
    if (ch === RBRACE) return this.lookup(name) ?? "";
    if (ch === EOF) return this.fail("syntax error: missing '}'", dollarAt);
    if (this.depth >= MAX_NESTING) {
      return this.fail(`substitutions nest deeper than ${MAX_NESTING} levels`, dollarAt);
    }
    this.depth++;
    try {
      if (ch === SLASH) return this.processReplace(name, dollarAt);
      let nullIsUnset = false;
      if (ch === COLON) {
        nullIsUnset = true;
        ch = this.next();
        modifier += runeText(ch);
      } else if (ch !== PLUS && ch !== MINUS && ch !== QUESTION && ch !== HASH && ch !== PERCENT) {
        return this.fail(`unsupported modifier (${modifier}) in substitution`, modifierAt);
      }
      // As in BuildKit, the word is read before the modifier is checked.
      let word = this.processStopOn(RBRACE, ch === HASH || ch === PERCENT, null);
      if (word === null) {
        if (this.peek() === EOF) return this.fail("syntax error: missing '}'", dollarAt);
        return null;
      }
      const value = this.lookup(name);
      const empty = value === undefined || (nullIsUnset && value === "");
      switch (ch) {
        case MINUS:
          return empty ? word : (value as string);
        case PLUS:
          return empty ? "" : word;
        case QUESTION:
          if (value === undefined) {
            return this.fail(`${name}: ${word === "" ? "is not allowed to be unset" : word}`, dollarAt);
          }
          if (empty) {
            return this.fail(`${name}: ${word === "" ? "is not allowed to be empty" : word}`, dollarAt);
          }
          return value;
        case HASH:
        case PERCENT: {
          const greedy = word.charCodeAt(0) === ch;
          if (greedy) word = word.slice(1);
          const v = value ?? "";
          const r = ch === PERCENT ? trimSuffix(word, v, greedy) : trimPrefix(word, v, greedy);
          return this.substituted(r, dollarAt);
        }
        default:
          return this.fail(`unsupported modifier (${modifier}) in substitution`, modifierAt);
      }
    } finally {
      this.depth--;
    }
  }

  /** `${name/pattern/replacement}` and `${name//pattern/replacement}`. */
  private processReplace(name: string, dollarAt: number): string | null {
    const all = this.peek() === SLASH;
    if (all) this.next();
    const pattern = this.processStopOn(SLASH, true, null);
    if (pattern === null) {
      if (this.peek() === EOF) {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: BuildKit's message names the ${} syntax.
        return this.fail("syntax error: missing '/' in ${}", dollarAt);
      }
      return null;
    }
    const replacement = this.processStopOn(RBRACE, true, null);
    if (replacement === null) {
      if (this.peek() === EOF) return this.fail("syntax error: missing '}'", dollarAt);
      return null;
    }
    const value = this.lookup(name) ?? "";
    return this.substituted(replacePattern(pattern, value, replacement, all), dollarAt);
  }

  private substituted(r: SubstituteResult, dollarAt: number): string | null {
    return r.ok ? r.value : this.fail(r.message, dollarAt);
  }

  /** A name: a run of digits, one special parameter, or letters, digits and `_`. */
  private processName(): string {
    const start = this.pos;
    for (;;) {
      const ch = this.peek();
      if (ch === EOF) break;
      if (this.pos === start) {
        if (isDigit(ch)) {
          while (isDigit(this.peek())) this.next();
          break;
        }
        if (isSpecialParam(ch)) {
          this.next();
          break;
        }
      }
      if (!isNameChar(ch)) break;
      this.next();
    }
    return this.src.slice(start, this.pos);
  }
}
