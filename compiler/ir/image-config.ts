import { z } from "zod";

/**
 * The runnable part of an OCI image config (`config` in the image JSON), in the
 * field names and shapes docker and the OCI spec use, so it is written to the
 * store as it is.
 */
export const HealthcheckSchema = z.object({
  Test: z.array(z.string()),
  Interval: z.number().optional(),
  Timeout: z.number().optional(),
  StartPeriod: z.number().optional(),
  StartInterval: z.number().optional(),
  Retries: z.number().optional(),
});

export const ContainerConfigSchema = z.object({
  User: z.string().optional(),
  ExposedPorts: z.record(z.string(), z.object({})).optional(),
  Env: z.array(z.string()).optional(),
  Entrypoint: z.array(z.string()).nullable().optional(),
  Cmd: z.array(z.string()).nullable().optional(),
  Volumes: z.record(z.string(), z.object({})).optional(),
  WorkingDir: z.string().optional(),
  Labels: z.record(z.string(), z.string()).optional(),
  StopSignal: z.string().optional(),
  Healthcheck: HealthcheckSchema.optional(),
  Shell: z.array(z.string()).optional(),
  OnBuild: z.array(z.string()).nullable().optional(),
  ArgsEscaped: z.boolean().optional(),
});

export type ContainerConfig = z.infer<typeof ContainerConfigSchema>;
export type Healthcheck = z.infer<typeof HealthcheckSchema>;

/** The default shell of RUN, CMD and ENTRYPOINT in shell form on Linux. */
export const DEFAULT_SHELL: readonly string[] = ["/bin/sh", "-c"];

/** The PATH docker gives a Linux image that sets none. */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Looks a variable up in a docker-style `K=V` list. */
export function envLookup(env: readonly string[] | undefined, name: string): string | undefined {
  if (env === undefined) return undefined;
  const prefix = `${name}=`;
  for (let i = env.length - 1; i >= 0; i--) {
    const e = env[i] as string;
    if (e.startsWith(prefix)) return e.slice(prefix.length);
  }
  return undefined;
}

/** Returns a new `K=V` list with `name` set, keeping the position of an existing entry. */
export function envSet(env: readonly string[] | undefined, name: string, value: string): string[] {
  const out = [...(env ?? [])];
  const prefix = `${name}=`;
  const at = out.findIndex((e) => e.startsWith(prefix));
  if (at >= 0) out[at] = `${name}=${value}`;
  else out.push(`${name}=${value}`);
  return out;
}
