/**
 * Restart policies as docker's (`--restart no|on-failure[:N]|always|unless-stopped`) and its
 * restart manager's backoff (moby daemon/restartmanager): the first restart waits 100 ms,
 * each later one twice as long as the one before, at most a minute; a process that ran 10
 * seconds or more starts the sequence again at 100 ms. `on-failure` restarts only after a
 * non-zero exit, up to N times (0 or no N: without limit). A stop (`stop`, `kill`, `rm -f`)
 * ends every policy's restarts; `unless-stopped` is `always` here, as no daemon restarts
 * under it. Pure: the monitor asks, and sleeps.
 */

export type RestartPolicyName = "no" | "on-failure" | "always" | "unless-stopped";

/** docker's HostConfig.RestartPolicy. */
export interface RestartPolicy {
  readonly Name: RestartPolicyName;
  readonly MaximumRetryCount: number;
}

export const NO_RESTART: RestartPolicy = { Name: "no", MaximumRetryCount: 0 };

const NAMES: readonly string[] = ["no", "on-failure", "always", "unless-stopped"];

/** `--restart`'s value, or an error message in docker's words. */
export function parseRestartPolicy(text: string): RestartPolicy | string {
  if (text === "") return NO_RESTART;
  const colon = text.indexOf(":");
  const name = colon < 0 ? text : text.slice(0, colon);
  const count = colon < 0 ? undefined : text.slice(colon + 1);
  if (name === "") return "invalid restart policy format: no policy provided before colon";
  let max = 0;
  if (count !== undefined) {
    if (!/^-?\d+$/.test(count)) return "invalid restart policy format: maximum retry count must be an integer";
    max = Number(count);
  }
  if (!NAMES.includes(name)) return `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`;
  if (name !== "on-failure" && max !== 0) return `invalid restart policy: maximum retry count can only be used with 'on-failure'${max < 0 ? " and cannot be negative" : ""}`;
  if (max < 0) return "invalid restart policy: maximum retry count cannot be negative";
  return { Name: name as RestartPolicyName, MaximumRetryCount: max };
}

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;
const RESET_AFTER_MS = 10_000;

/** One container's restart decisions, across the runs of one monitor. */
export class RestartManager {
  #delay = 0;
  #count = 0;
  readonly policy: RestartPolicy;
  constructor(policy: RestartPolicy) {
    this.policy = policy;
  }

  /** Restarts made so far (docker's RestartCount). */
  get count(): number {
    return this.#count;
  }

  /**
   * After a run that ended with `exitCode` having run `ranMs`: the delay before the next
   * start, or undefined when the policy does not restart (or the container was stopped).
   */
  next(exitCode: number, ranMs: number, stopped: boolean): number | undefined {
    if (ranMs >= RESET_AFTER_MS) this.#delay = 0;
    this.#delay = this.#delay === 0 ? FIRST_DELAY_MS : Math.min(this.#delay * 2, MAX_DELAY_MS);
    if (stopped) return undefined;
    const p = this.policy;
    const restart = p.Name === "always" || p.Name === "unless-stopped" || (p.Name === "on-failure" && exitCode !== 0 && (p.MaximumRetryCount === 0 || this.#count < p.MaximumRetryCount));
    if (!restart) return undefined;
    this.#count++;
    return this.#delay;
  }
}
