/**
 * The one error base of the runtime. A StrataError is a problem the user can
 * act on: a stable code from the catalogue (catalogue.ts, which also gives
 * the exit code), and a one-line message that names the file, image, digest,
 * path or host. The CLI prints it as `strata: error[CODE]: message`. Anything
 * thrown that is not a StrataError reaches the user as IO_ERROR (a system
 * call failed: the message names the path) or INTERNAL (a bug).
 *
 * Compiler problems are not thrown: they are diagnostics (compiler/
 * diagnostics/), whose codes the catalogue lists too.
 */
import { type ErrorCode, exitCodeOf } from "./catalogue.ts";

export class StrataError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** The exit code the command ends with (the catalogue's, unless a subclass knows better). */
  get exit(): number {
    return exitCodeOf(this.code);
  }
}

/**
 * A layer, archive or limit error (LAYER_*, LOAD_*, LIMIT_*) as the user's command sees it: prefixed with the
 * file or stream it came from, which the reader of the bytes does not know. Other errors as
 * they are.
 */
export function fromSource(label: string, e: unknown): unknown {
  if (!(e instanceof StrataError) || !/^(LAYER|LOAD|LIMIT)_/.test(e.code) || e.message.startsWith(`${label}: `)) return e;
  return new StrataError(e.code, `${label}: ${e.message}`, { cause: e });
}
