import type { Healthcheck } from "../../../compiler/ir/image-config.ts";

/**
 * The health check a container runs: the image's HEALTHCHECK (its config's Healthcheck,
 * durations in nanoseconds) with the `--health-*` flags over it, as docker merges them
 * (daemon/commit.go merge): a flag's test replaces the image's, a duration or count left 0
 * takes the image's. `--no-healthcheck` (Test ["NONE"]) turns it off. Defaults are
 * docker's (daemon/health.go) and applied when a check runs: every 30 s, 30 s to answer,
 * unhealthy after 3 failures in a row, no start period, every 5 s within the start period.
 */

export const HEALTH_DEFAULTS = { interval: 30e9, timeout: 30e9, startPeriod: 0, startInterval: 5e9, retries: 3 } as const;

/** What the flags give: docker's HealthConfig, fields left out where no flag set them. */
export type HealthFlags = Partial<Healthcheck>;

export function mergeHealthcheck(image: Healthcheck | undefined, flags: HealthFlags | undefined): Healthcheck | undefined {
  if (flags === undefined) return image;
  if (image === undefined) return flags.Test === undefined ? undefined : ({ ...flags, Test: flags.Test } as Healthcheck);
  const pick = (k: "Interval" | "Timeout" | "StartPeriod" | "StartInterval" | "Retries") => (flags[k] ? flags[k] : image[k]);
  const out: Healthcheck = { Test: flags.Test !== undefined && flags.Test.length > 0 ? flags.Test : image.Test };
  for (const k of ["Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"] as const) {
    const v = pick(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The check's argv (CMD: as given; CMD-SHELL: under the image's SHELL, /bin/sh -c by default), or undefined when none runs. */
export function probeArgs(h: Healthcheck | undefined, shell: readonly string[] | undefined): string[] | undefined {
  if (h === undefined || h.Test.length === 0) return undefined;
  const [kind, ...rest] = h.Test;
  if (kind === "CMD" && rest.length > 0) return rest;
  if (kind === "CMD-SHELL" && rest.length > 0) return [...(shell !== undefined && shell.length > 0 ? shell : ["/bin/sh", "-c"]), ...rest];
  return undefined;
}

/** Nanoseconds as milliseconds, the configured value or the default when 0 or unset. */
export function ms(configured: number | undefined, fallbackNs: number): number {
  return (configured !== undefined && configured > 0 ? configured : fallbackNs) / 1e6;
}
