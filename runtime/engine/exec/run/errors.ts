/** A RUN --mount (or other container setup) that cannot be made; run-step turns it into a StepError with the RUN's line. */
export class RunMountError extends Error {
  readonly code = "RUN_MOUNT";
}
