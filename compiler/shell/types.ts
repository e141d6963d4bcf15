/**
 * Public types of Dockerfile word expansion (the equivalent of BuildKit's
 * frontend/dockerfile/shell). Expansion never throws: problems come back as
 * an `ExpandFailure` value.
 */

/**
 * Looks a variable up. `undefined` means "not set"; `""` means "set and
 * empty" (the two differ for `${V-w}`, `${V+w}` and `${V?m}`).
 */
export type ShellEnv = (name: string) => string | undefined;

/** The escape character, as chosen by the `# escape=` parser directive. */
export type EscapeToken = "\\" | "`";

export interface ExpandOptions {
  /** Escape character of the Dockerfile; default `\`. */
  readonly escape?: EscapeToken | undefined;
  /**
   * Heredoc bodies (BuildKit's RawQuotes and RawEscapes): quotes and escape
   * characters stay as they are; only `$` expansions happen.
   */
  readonly raw?: boolean | undefined;
}

/** Variable references observed while expanding. */
export interface ExpandRefs {
  /** Every variable name looked up, set or not, in first-reference order. */
  readonly used: string[];
  /** The names of `used` that were not set (for the UndefinedVar lint). */
  readonly unset: string[];
}

export interface ExpandFailure {
  readonly ok: false;
  /** BuildKit's message, without its `failed to process "…"` wrapper. */
  readonly message: string;
  /** UTF-16 offset in the word of the problem (an opening quote, a `$`, a modifier). */
  readonly offset: number;
}

export interface ExpandValue extends ExpandRefs {
  readonly ok: true;
  readonly value: string;
}

export interface ExpandWordsValue extends ExpandRefs {
  readonly ok: true;
  readonly words: string[];
}

/** Result of `expandWord` (BuildKit's ProcessWord). */
export type ExpandResult = ExpandValue | ExpandFailure;

/** Result of `expandWords` (BuildKit's ProcessWords). */
export type ExpandWordsResult = ExpandWordsValue | ExpandFailure;
