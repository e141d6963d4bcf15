/** The error of a COPY or ADD, and the messages BuildKit gives the common ones. */
import type { CopyOp } from "../../../compiler/ir/graph.ts";
import { StrataError } from "../../errors/error.ts";

/** A COPY or ADD that cannot be done; the executor turns it into a StepError with the instruction's line. */
export class CopyError extends StrataError {}

export const commandOf = (op: CopyOp): string => (op.add ? "ADD" : "COPY");

/** Any failure of a COPY or ADD as one CopyError, `COPY failed: …`, keeping a coded error's code. */
export function copyFailure(op: CopyOp, e: unknown): CopyError {
  const cmd = commandOf(op);
  if (e instanceof CopyError && e.message.startsWith(`${cmd} failed: `)) return e;
  return new CopyError(e instanceof StrataError ? e.code : "COPY_FAILED", `${cmd} failed: ${(e as Error).message}`, { cause: e });
}

export function multipleSourcesError(op: CopyOp): CopyError {
  return new CopyError("COPY_DEST_NOT_DIR", `When using ${commandOf(op)} with more than one source file, the destination must be a directory and end with a /`);
}
