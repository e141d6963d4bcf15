import type { SourceRef } from "../../compiler/ir/graph.ts";

/** A build step failed: carries the instruction's source so the CLI prints its Dockerfile line. */
export class StepError extends Error {
  readonly code: string;
  readonly source: SourceRef;
  readonly exitCode: number | undefined;
  readonly output: string;
  constructor(code: string, message: string, source: SourceRef, exitCode?: number, output = "") {
    super(message);
    this.code = code;
    this.source = source;
    this.exitCode = exitCode;
    this.output = output;
  }
}
