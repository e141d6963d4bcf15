import type { SourceRef } from "../../compiler/ir/graph.ts";
import type { ErrorCode } from "./catalogue.ts";
import { StrataError } from "./error.ts";

/** A build step failed: carries the instruction's source so the CLI prints its Dockerfile (or image.ts) line. */
export class StepError extends StrataError {
  readonly source: SourceRef;
  /** A RUN's own exit code, when a RUN failed. */
  readonly processExit: number | undefined;
  /** The step's last output, shown under the error. */
  readonly output: string;
  constructor(code: ErrorCode, message: string, source: SourceRef, processExit?: number, output = "") {
    super(code, message);
    this.source = source;
    this.processExit = processExit;
    this.output = output;
  }
}
