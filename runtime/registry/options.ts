import type { Log } from "./progress.ts";

/** What a caller tells every registry operation (the CLI, from its flags): where plain HTTP may be used, and where progress lines go. */
export interface RegistryOptions {
  /** Hosts that may be spoken to over plain HTTP (--insecure-registry); loopback always may. */
  readonly insecure: readonly string[];
  /** Per-layer progress lines (docker's words); stderr when absent. */
  readonly log?: Log | undefined;
}
