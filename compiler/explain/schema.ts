import { z } from "zod";

/**
 * The JSON schema of `strata explain --format json` (stable: fields and enum
 * values are only ever added; the field comments below are its documentation).
 */

/** Whether a layer (or one RUN of a merged layer) comes from the cache. "unknown": it stands on a base image that was not looked up (explain --offline). */
const CacheSchema = z.enum(["hit", "miss", "unknown"]);

export const ExplainPlanSchema = z.object({
  /** Schema version. */
  version: z.literal(1),
  /** The target stage: its name, or its index as a string. */
  target: z.string(),
  stages: z.array(
    z.object({
      index: z.number().int(),
      name: z.string().nullable(),
      /** The FROM reference: an image, `scratch`, an earlier stage's name/index, or `build context NAME` (a named local directory). */
      base: z.string(),
      /** false when the prune pass leaves the stage out (the target does not need it). */
      used: z.boolean(),
      /** When the FROM names an earlier stage: that stage's index; else null (an image, scratch, a named context). */
      baseStage: z.number().int().nullable(),
    }),
  ),
  /**
   * Every instruction of every used stage, in stage order and then source
   * order, FROM (and a base's ONBUILD triggers) included, with what it
   * becomes in the image.
   */
  instructions: z.array(
    z.object({
      /** The stage's index. */
      stage: z.number().int(),
      file: z.string(),
      line: z.number().int(),
      /** The instruction as written (first line of a continued one). */
      text: z.string(),
      /**
       * "base": a FROM, the stage's starting filesystem and config.
       * "layer": a layer of its own (RUN, COPY, ADD, the mkdir of a WORKDIR; the FROM of a named local directory, which is copied to /).
       * "merged": a RUN whose layer is combined with other RUNs' into one image layer.
       * "config": changes only the image config (ENV, LABEL, CMD, ENTRYPOINT, USER, EXPOSE, …).
       * "none": changes neither the filesystem nor the config (ARG; an instruction that sets what is already set, e.g. `WORKDIR /`).
       */
      becomes: z.enum(["base", "layer", "merged", "config", "none"]),
      /** The 1-based number of the entry of `layers` it is part of; null for base, config and none. */
      layer: z.number().int().nullable(),
      /** For a layer or merged instruction: whether its own step comes from the cache (each RUN of a merged layer is cached alone); null otherwise. */
      cache: CacheSchema.nullable(),
      /** For a missed or unknown step: why (as `reason` of a layer); null otherwise. */
      reason: z.string().nullable(),
    }),
  ),
  /** One entry per layer of the image, in order: a merged group of RUNs is one entry. */
  layers: z.array(
    z.object({
      stage: z.number().int(),
      instructions: z.array(
        z.object({
          file: z.string(),
          line: z.number().int(),
          text: z.string(),
          /** This instruction's own step: every RUN of a merged layer has its own cache key and record. */
          cache: CacheSchema,
          /** For a miss or unknown: why this step misses (compared with the last build of this target); else null. */
          reason: z.string().nullable(),
        }),
      ),
      /** More than one instruction: adjacent RUNs whose layers are combined into this one image layer. */
      merged: z.boolean(),
      /** For a merged layer: how many of its RUNs come from the cache, how many run, and how many are unknown (explain --offline); null otherwise. */
      runs: z.object({ cached: z.number().int(), run: z.number().int(), unknown: z.number().int() }).nullable(),
      /** Why this RUN did not merge with the layer before it, when an earlier RUN of the stage exists. */
      notMerged: z.string().nullable(),
      /** The cache key after the layer: for a merged layer, its last RUN's. */
      cacheKey: z.string(),
      /** The cache key of each step of the layer, in order (one per RUN of a merged layer; the last is `cacheKey`). */
      stepKeys: z.array(z.string()),
      /**
       * What the layer's steps read besides the layer below, in order, each once: a stage
       * (`COPY --from=STAGE`, `RUN --mount from=STAGE`: its index) or an image (`--from=IMAGE`: the
       * reference). `by`: "copy" for COPY/ADD --from, "mount" for a RUN mount. The build context
       * and named contexts are not listed.
       */
      reads: z.array(z.object({ stage: z.number().int().nullable(), image: z.string().nullable(), by: z.enum(["copy", "mount"]) })),
      /** "hit" when every step of the layer is a hit; "unknown" when any is unknown; else "miss". */
      cache: CacheSchema,
      /**
       * For a miss: why (compared with the last build of this target); for a
       * merged layer, the reason of its first missed RUN, prefixed with that
       * RUN's line (`line 5: …`). For an unknown layer, why it is.
       */
      reason: z.string().nullable(),
    }),
  ),
  warnings: z.array(z.string()),
  /** What the plan was made without: base images the store lacks (known from their registry's manifest and config, or not looked up). */
  notes: z.array(z.string()),
});

export type ExplainPlan = z.infer<typeof ExplainPlanSchema>;
export type ExplainLayer = ExplainPlan["layers"][number];
export type ExplainInstruction = ExplainPlan["instructions"][number];
export type ExplainCache = z.infer<typeof CacheSchema>;

/**
 * `strata explain --platform A,B --format json`: one plan per platform (each the plan of that
 * platform's build), then the layers every platform's plan has with the same cache key, which
 * the first platform's build makes and the others take from the cache (a `FROM
 * --platform=$BUILDPLATFORM` stage's). One platform keeps the plain ExplainPlan.
 */
export const ExplainPlatformsSchema = z.object({
  platforms: z.array(
    z.object({
      /** os/arch[/variant], as --platform named it. */
      platform: z.string(),
      plan: ExplainPlanSchema,
      /** How many of the plan's layers are this platform's own (not in `shared`). */
      ownLayers: z.number().int(),
    }),
  ),
  /** The layers with the same cache key at the same stage and instructions in every platform's plan, in the first platform's layer order. */
  shared: z.array(
    z.object({
      stage: z.number().int(),
      /** The stage's name; null for an unnamed one. */
      stageName: z.string().nullable(),
      instructions: z.array(z.object({ file: z.string(), line: z.number().int(), text: z.string() })),
      cacheKey: z.string(),
    }),
  ),
});

export type ExplainPlatforms = z.infer<typeof ExplainPlatformsSchema>;
