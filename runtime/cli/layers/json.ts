/**
 * `strata layers --format json`: the analysis as one JSON document, its fields described by the
 * zod schema below (the contract; specs parse the output with it). Sizes are bytes of file
 * content; layer indexes count from 0, the bottom layer; paths are absolute in the image.
 */
import { z } from "zod";
import type { LayerAnalysis } from "../../image/waste/analyze.ts";
import type { GateResult } from "../../image/waste/gate.ts";

const layer = z.object({
  index: z.number().int().describe("0 is the bottom layer"),
  digest: z.string().describe("the blob the manifest names"),
  diffId: z.string().describe("the uncompressed layer's digest (the config's rootfs.diff_ids)"),
  createdBy: z.string().describe("the instruction from the history (merged RUNs joined with &&)"),
  size: z.number().int().describe("bytes of file content in the layer"),
  added: z.number().int().describe("non-directories new at their path"),
  changed: z.number().int().describe("non-directories at a path a lower layer had a file at"),
  removed: z.number().int().describe("files of lower layers this layer deletes (whiteouts, opaque directories, a path replaced by another kind)"),
  wastedBytes: z.number().int().describe("bytes of this layer that a later layer deletes or replaces"),
});

const wasted = z.object({
  path: z.string(),
  size: z.number().int(),
  addedBy: z.number().int().describe("the layer that added these bytes"),
  removedBy: z.number().int().describe("the layer that deleted or replaced them"),
  how: z.enum(["deleted", "replaced"]),
});

export const LayersJson = z.object({
  image: z.string().describe("the name or ID asked for"),
  id: z.string().describe("the image ID (config digest)"),
  size: z.number().int().describe("the sum of the layers' sizes"),
  userSize: z.number().int().describe("the layers but the first (dive's user bytes)"),
  wastedBytes: z.number().int().describe("bytes a later layer deletes or replaces"),
  wastedUserRatio: z.number().describe("wastedBytes / userSize"),
  efficiency: z.number().min(0).max(1).describe("dive's efficiency score"),
  layers: z.array(layer),
  biggestFiles: z.array(z.object({ path: z.string(), size: z.number().int(), layer: z.number().int() })).describe("of the final filesystem, biggest first"),
  wastedFiles: z.array(wasted).describe("every wasted file, biggest first"),
  gate: z
    .object({
      pass: z.boolean(),
      rules: z.array(z.object({ rule: z.enum(["wasted-bytes", "efficiency", "wasted-percent"]), limit: z.number(), actual: z.number(), pass: z.boolean(), message: z.string() })),
    })
    .optional()
    .describe("with --fail-* limits"),
});
export type LayersJson = z.infer<typeof LayersJson>;

export function layersJson(image: string, id: string, a: LayerAnalysis, gate: GateResult | undefined): LayersJson {
  return {
    image,
    id,
    size: a.size,
    userSize: a.userSize,
    wastedBytes: a.wastedBytes,
    wastedUserRatio: a.wastedUserRatio,
    efficiency: a.efficiency,
    layers: a.layers.map(({ changes: _, ...l }) => l),
    biggestFiles: [...a.biggest],
    wastedFiles: [...a.wasted],
    ...(gate && { gate: { pass: gate.pass, rules: [...gate.rules] } }),
  };
}
