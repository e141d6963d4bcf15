/**
 * Entry points of Dockerfile word expansion: `expandWord` is BuildKit's
 * ProcessWord (one string, quotes and escapes removed), `expandWords` its
 * ProcessWords (the same, then split into words on unquoted whitespace).
 */

import { WordLexer } from "./lexer.ts";
import type {
  ExpandFailure,
  ExpandOptions,
  ExpandResult,
  ExpandWordsResult,
  ShellEnv,
} from "./types.ts";
import { WordSplitter } from "./words.ts";

function refsOf(lexer: WordLexer): { used: string[]; unset: string[] } {
  const used: string[] = [];
  const unset: string[] = [];
  for (const [name, set] of lexer.refs) {
    used.push(name);
    if (!set) unset.push(name);
  }
  return { used, unset };
}

function failure(message: string, offset: number): ExpandFailure {
  return { ok: false, message, offset };
}

function run(word: string, env: ShellEnv, options: ExpandOptions | undefined, words: WordSplitter | null) {
  const lexer = new WordLexer(word, env, options?.escape ?? "\\", options?.raw ?? false);
  try {
    const value = lexer.run(words);
    return { lexer, value };
  } catch (e) {
    // Only a stack overflow can land here (the nesting limit should prevent it).
    if (e instanceof RangeError) return { lexer, value: null, overflow: true as const };
    throw e;
  }
}

/** Expands one word (BuildKit's ProcessWord). Never throws for any word. */
export function expandWord(word: string, env: ShellEnv, options?: ExpandOptions): ExpandResult {
  const esc = options?.escape ?? "\\";
  if (options?.raw && word.indexOf("$") < 0) return { ok: true, value: word, used: [], unset: [] };
  if (
    word.indexOf("$") < 0 &&
    word.indexOf("'") < 0 &&
    word.indexOf('"') < 0 &&
    word.indexOf(esc) < 0 &&
    word.charCodeAt(0) !== 0xfeff
  ) {
    return { ok: true, value: word, used: [], unset: [] };
  }
  const r = run(word, env, options, null);
  if (r.value === null) {
    return r.overflow
      ? failure("expression nests too deeply", 0)
      : failure(r.lexer.errorMessage, r.lexer.errorOffset);
  }
  return { ok: true, value: r.value, ...refsOf(r.lexer) };
}

/**
 * Expands one word and splits it into words (BuildKit's ProcessWords):
 * unquoted whitespace, literal or from a `$` expansion, separates words;
 * quoted and escaped whitespace does not; empty words are dropped.
 */
export function expandWords(word: string, env: ShellEnv, options?: ExpandOptions): ExpandWordsResult {
  const splitter = new WordSplitter();
  const r = run(word, env, options, splitter);
  if (r.value === null) {
    return r.overflow
      ? failure("expression nests too deeply", 0)
      : failure(r.lexer.errorMessage, r.lexer.errorOffset);
  }
  return { ok: true, words: splitter.finish(), ...refsOf(r.lexer) };
}

/** A ShellEnv over a plain record (own properties only). */
export function envFromRecord(record: Readonly<Record<string, string>>): ShellEnv {
  return (name) => (Object.hasOwn(record, name) ? record[name] : undefined);
}

/** `expandWord` with the environment given as a record. */
export function expandWithEnvRecord(
  word: string,
  record: Readonly<Record<string, string>>,
  options?: ExpandOptions,
): ExpandResult {
  return expandWord(word, envFromRecord(record), options);
}
