import type { Command } from "commander";
import { parseGoDuration } from "../../../compiler/dockerfile/instructions/duration.ts";
import { ContainerUsageError } from "../../container/create.ts";
import { normalizeSignal } from "../../container/lifecycle.ts";
import type { HealthFlags } from "../../container/monitor/health-config.ts";
import { parseRestartPolicy, type RestartPolicy } from "../../container/monitor/restart-policy.ts";

/** The `run`/`create` flags of the monitor's part: what it does when the process ends, its health check, how `stop` stops it. */
export interface MonitorFlags {
  restart?: string;
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthRetries?: string;
  healthStartPeriod?: string;
  healthStartInterval?: string;
  healthcheck?: boolean;
  stopSignal?: string;
  stopTimeout?: string;
}

export function addMonitorFlags(c: Command): Command {
  return c
    .option("--restart <policy>", "restart policy when the container exits: no, on-failure[:max-retries], always, unless-stopped", "no")
    .option("--health-cmd <command>", "command to run to check health (run with /bin/sh -c)")
    .option("--health-interval <duration>", "time between running the check (ms|s|m|h) (default 30s)")
    .option("--health-timeout <duration>", "maximum time to allow one check to run (ms|s|m|h) (default 30s)")
    .option("--health-retries <n>", "consecutive failures needed to report unhealthy (default 3)")
    .option("--health-start-period <duration>", "start period for the container to initialize before failures count (ms|s|m|h) (default 0s)")
    .option("--health-start-interval <duration>", "time between running the check during the start period (ms|s|m|h) (default 5s)")
    .option("--no-healthcheck", "disable any container-specified HEALTHCHECK")
    .option("--stop-signal <signal>", "signal to stop the container (default: the image's STOPSIGNAL, else SIGTERM)")
    .option("--stop-timeout <seconds>", "timeout (in seconds) to stop a container (default 10)");
}

export interface MonitorOptions {
  readonly restartPolicy: RestartPolicy;
  readonly health: HealthFlags | undefined;
  readonly stopSignal: string | undefined;
  readonly stopTimeout: number | undefined;
}

/** A duration flag in nanoseconds (Go's syntax, as docker's flags take it); undefined when not given. */
function duration(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ns = parseGoDuration(value);
  if (ns === undefined) throw new ContainerUsageError(`invalid argument "${value}" for "${flag}" flag: time: invalid duration "${value}"`);
  if (ns < 0) throw new ContainerUsageError(`${flag} cannot be negative`);
  return ns;
}

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new ContainerUsageError(`invalid argument "${value}" for "${flag}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`);
  return Number(value);
}

/** The flags as CreateOptions fields, checked as docker's CLI checks them (errors in its words). */
export function monitorOptions(f: MonitorFlags, autoRemove: boolean): MonitorOptions {
  const policy = parseRestartPolicy(f.restart ?? "no");
  if (typeof policy === "string") throw new ContainerUsageError(policy);
  if (autoRemove && policy.Name !== "no") throw new ContainerUsageError("Conflicting options: --restart and --rm");
  const interval = duration("--health-interval", f.healthInterval);
  const timeout = duration("--health-timeout", f.healthTimeout);
  const startPeriod = duration("--health-start-period", f.healthStartPeriod);
  const startInterval = duration("--health-start-interval", f.healthStartInterval);
  const retries = integer("--health-retries", f.healthRetries);
  if (retries !== undefined && retries < 0) throw new ContainerUsageError("--health-retries cannot be negative");
  const any = [f.healthCmd, interval, timeout, startPeriod, startInterval, retries].some((v) => v !== undefined && v !== "" && v !== 0);
  let health: HealthFlags | undefined;
  if (f.healthcheck === false) {
    if (any) throw new ContainerUsageError("--no-healthcheck conflicts with --health-* options");
    health = { Test: ["NONE"] };
  } else if (any) {
    health = {
      ...(f.healthCmd !== undefined && f.healthCmd !== "" && { Test: ["CMD-SHELL", f.healthCmd] }),
      ...(interval !== undefined && { Interval: interval }),
      ...(timeout !== undefined && { Timeout: timeout }),
      ...(startPeriod !== undefined && { StartPeriod: startPeriod }),
      ...(startInterval !== undefined && { StartInterval: startInterval }),
      ...(retries !== undefined && { Retries: retries }),
    };
  }
  let stopSignal: string | undefined;
  if (f.stopSignal !== undefined) {
    try {
      stopSignal = normalizeSignal(f.stopSignal);
    } catch (e) {
      throw new ContainerUsageError((e as Error).message);
    }
  }
  return { restartPolicy: policy, health, stopSignal, stopTimeout: integer("--stop-timeout", f.stopTimeout) };
}
