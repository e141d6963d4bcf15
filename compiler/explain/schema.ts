import { z } from "zod";

/**
 * The JSON schema of `strata explain --format json` (stable: fields and enum
 * values are only ever added; the field comments below are its documentation).
 */
export const ExplainPlanSchema = z.object({
  /** Schema version. */
  version: z.literal(1),
  /** The target stage: its name, or its index as a string. */
  target: z.string(),
  stages: z.array(
    z.object({
      index: z.number().int(),
      name: z.string().nullable(),
      /** The FROM reference: an image, `scratch`, or an earlier stage's name/index. */
      base: z.string(),
      /** false when the prune pass leaves the stage out (the target does not need it). */
      used: z.boolean(),
    }),
  ),
  layers: z.array(
    z.object({
      stage: z.number().int(),
      instructions: z.array(z.object({ file: z.string(), line: z.number().int(), text: z.string() })),
      /** More than one instruction: adjacent RUNs merged into this one layer. */
      merged: z.boolean(),
      /** Why this RUN did not merge with the RUN before it, when there is one. */
      notMerged: z.string().nullable(),
      cacheKey: z.string(),
      /** "unknown": the layer stands on a base image that was not looked up (explain --offline). */
      cache: z.enum(["hit", "miss", "unknown"]),
      /** For a miss: why (compared with the last build of this target); for an unknown layer, why it is. */
      reason: z.string().nullable(),
    }),
  ),
  warnings: z.array(z.string()),
  /** What the plan was made without: base images the store lacks (known from their registry's manifest and config, or not looked up). */
  notes: z.array(z.string()),
});

export type ExplainPlan = z.infer<typeof ExplainPlanSchema>;
export type ExplainLayer = ExplainPlan["layers"][number];
