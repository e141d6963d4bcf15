import type { ErrorCode } from "../errors/catalogue.ts";
import { StrataError } from "../errors/error.ts";

/** A registry answered with an error, or could not be reached. `code` is stable; the message names host, repository and what to do. */
export class RegistryError extends StrataError {
  readonly status: number | undefined;
  constructor(code: ErrorCode, message: string, status?: number, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = status;
  }
}

/** Reads a distribution-spec error body ({"errors":[{"code","message"}]}) into one line. */
export function describeErrors(text: string): string {
  try {
    const j = JSON.parse(text) as { errors?: { code?: string; message?: string; detail?: unknown }[] };
    if (j.errors?.length) return j.errors.map((e) => `${e.code ?? "ERROR"}: ${e.message ?? ""}`).join("; ");
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 200);
}
