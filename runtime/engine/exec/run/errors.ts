import { StrataError } from "../../../errors/error.ts";

/** A RUN --mount (or other container setup) that cannot be made; run-step turns it into a StepError with the RUN's line. */
export class RunMountError extends StrataError {
  constructor(message: string) {
    super("RUN_MOUNT", message);
  }
}
