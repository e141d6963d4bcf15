/**
 * How every command reports an error: one line, `strata: error[CODE]:
 * message`, with the code from the catalogue (runtime/errors/), and the exit
 * code the catalogue gives it. A thrown StrataError keeps its code (as does
 * an error from the compiler that carries a catalogued one); a failed system
 * call becomes IO_ERROR naming the path; anything else is INTERNAL (a bug).
 * STRATA_DEBUG=1 adds the stack.
 */
import { exitCodeOf, isErrorCode } from "../errors/catalogue.ts";
import { StrataError } from "../errors/error.ts";
import { systemMessage } from "../errors/system.ts";

export interface Reported {
  readonly code: string;
  readonly message: string;
  readonly exit: number;
}

export function describeError(e: unknown): Reported {
  if (e instanceof StrataError) return { code: e.code, message: e.message, exit: e.exit };
  const err = e instanceof Error ? (e as NodeJS.ErrnoException) : new Error(String(e));
  const errno = (err as NodeJS.ErrnoException).code;
  // An error from outside the runtime (the compiler's PatternError) that carries a catalogued code.
  if (typeof errno === "string" && isErrorCode(errno)) return { code: errno, message: err.message, exit: exitCodeOf(errno) };
  if (typeof errno === "string" && /^E[A-Z0-9]+$/.test(errno)) {
    return { code: "IO_ERROR", message: systemMessage(err as NodeJS.ErrnoException), exit: exitCodeOf("IO_ERROR") };
  }
  return { code: "INTERNAL", message: `internal error: ${err.message}`, exit: exitCodeOf("INTERNAL") };
}

/** Prints the error and sets the exit code (`exit` overrides the catalogue's, for commands with docker's own codes). */
export function reportError(e: unknown, exit?: number): void {
  printReported(describeError(e), e, exit);
}

export function printReported(r: Reported, e: unknown, exit = r.exit): void {
  process.stderr.write(`strata: error[${r.code}]: ${r.message}\n`);
  if (process.env.STRATA_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exitCode = exit;
}
