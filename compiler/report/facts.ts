/**
 * What the html report shows beyond the plan: each step's cache key parts (explain/parts.ts, for
 * the side panel) and, after a build (`strata build --report`), each step's time and layer size.
 * Plain data that the runtime gathers (the progress events, the cache records) and hands in.
 */
import type { LayerParts } from "../explain/parts.ts";

/** One step of a build, by its cache key. */
export interface StepRun {
  /** Seconds the step ran; 0 for a cached one. */
  readonly seconds: number;
  readonly cached: boolean;
  /** The bytes of its layer (uncompressed, as the layer's record has it); 0 for a step that changed nothing; null when not known. */
  readonly size: number | null;
}

export interface ReportFacts {
  /** Every layer step's key parts, as the plan was made from them. */
  readonly parts?: readonly LayerParts[];
  /** After a build: each step that ran or was cached, by cache key. */
  readonly steps?: ReadonlyMap<string, StepRun>;
  /** What the page's title says after "strata": e.g. "build report" or "explain". */
  readonly title?: string;
}
