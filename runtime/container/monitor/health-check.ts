import type { Healthcheck } from "../../../compiler/ir/image-config.ts";
import { HEALTH_DEFAULTS, ms } from "./health-config.ts";
import type { HealthResult, HealthState } from "./state-file.ts";

/** How one probe ended: its exit code (-1: it timed out or could not start) and its output. */
export interface ProbeOutcome {
  readonly exitCode: number;
  readonly output: string;
}

export interface HealthCheckDeps {
  /** Runs the check once in the container, within `timeoutMs`. */
  probe(timeoutMs: number): Promise<ProbeOutcome>;
  /** A paused container is not checked (docker stops its health monitor while paused). */
  paused(): Promise<boolean>;
  /** Each new state, to be recorded. */
  changed(state: HealthState): void;
}

const MAX_LOG = 5;

/** Go's Duration.String() for a whole number of milliseconds: 500ms, 1s, 1.5s, 1m30s. */
export function goDuration(msTotal: number): string {
  if (msTotal === 0) return "0s";
  if (msTotal < 1000) return `${msTotal}ms`;
  const h = Math.floor(msTotal / 3_600_000);
  const m = Math.floor((msTotal % 3_600_000) / 60_000);
  const s = (msTotal % 60_000) / 1000;
  return `${h > 0 ? `${h}h` : ""}${h > 0 || m > 0 ? `${m}m` : ""}${s}s`;
}

/**
 * A container's health checks while its process runs, on docker's schedule and rules
 * (daemon/health.go): the first check `interval` after the start (`start-interval` while
 * within the start period and still starting, and never later than the period's end), each
 * next one `interval` after the last ended. Exit 0 is healthy and clears the failing
 * streak; anything else adds to the streak, except while starting within the start period,
 * and `retries` failures in a row make it unhealthy. The last 5 results are kept.
 */
export class HealthChecker {
  #state: HealthState;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #startedAt = 0;

  readonly config: Healthcheck;
  readonly deps: HealthCheckDeps;

  constructor(config: Healthcheck, deps: HealthCheckDeps, previous: HealthState | undefined) {
    this.config = config;
    this.deps = deps;
    this.#state = { Status: "starting", FailingStreak: 0, Log: previous?.Log ?? [] };
  }

  get state(): HealthState {
    return this.#state;
  }

  /** The process started (at `startedAtMs`): starting again, with the previous results kept. */
  start(startedAtMs: number): void {
    this.stop();
    this.#running = true;
    this.#startedAt = startedAtMs;
    this.#set({ ...this.#state, Status: "starting", FailingStreak: 0 });
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #interval(): number {
    const interval = ms(this.config.Interval, HEALTH_DEFAULTS.interval);
    const startPeriod = ms(this.config.StartPeriod, HEALTH_DEFAULTS.startPeriod);
    const elapsed = Date.now() - this.#startedAt;
    if (elapsed >= startPeriod) return interval;
    const remaining = startPeriod - elapsed;
    if (remaining < interval) return remaining;
    return this.#state.Status === "starting" ? ms(this.config.StartInterval, HEALTH_DEFAULTS.startInterval) : interval;
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => void this.#check(), this.#interval());
  }

  async #check(): Promise<void> {
    if (!this.#running) return;
    if (!(await this.deps.paused())) {
      const start = new Date();
      const timeout = ms(this.config.Timeout, HEALTH_DEFAULTS.timeout);
      const outcome = await this.deps.probe(timeout).catch((e: Error) => ({ exitCode: -1, output: e.message }));
      if (!this.#running) return;
      this.#record({ Start: start.toISOString(), End: new Date().toISOString(), ExitCode: outcome.exitCode, Output: outcome.output }, start.getTime());
    }
    this.#schedule();
  }

  #record(result: HealthResult, startMs: number): void {
    const retries = this.config.Retries !== undefined && this.config.Retries > 0 ? this.config.Retries : HEALTH_DEFAULTS.retries;
    const log = [...this.#state.Log, result].slice(-MAX_LOG);
    if (result.ExitCode === 0) {
      this.#set({ Status: "healthy", FailingStreak: 0, Log: log });
      return;
    }
    const inStartPeriod = this.#state.Status === "starting" && startMs - this.#startedAt < ms(this.config.StartPeriod, HEALTH_DEFAULTS.startPeriod);
    if (inStartPeriod) {
      this.#set({ ...this.#state, Log: log });
      return;
    }
    const streak = this.#state.FailingStreak + 1;
    this.#set({ Status: streak >= retries ? "unhealthy" : this.#state.Status, FailingStreak: streak, Log: log });
  }

  #set(s: HealthState): void {
    this.#state = s;
    this.deps.changed(s);
  }
}
