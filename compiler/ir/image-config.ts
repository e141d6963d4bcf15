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
