/**
 * Each image layer's instruction, bottom first, from the image's history: the `created_by` of
 * the entry that carries the layer, after those of the RUNs merged into it (their entries are
 * empty and say so in their comment, engine/exec/merge-group.ts), joined with " && ".
 */
import { parseMergedComment } from "../../engine/exec/merge-group.ts";
import type { LoadedImage } from "../../store/store.ts";

export function layerInstructions(img: LoadedImage): string[] {
  const out: string[] = [];
  let merged: string[] = [];
  for (const h of img.config.history ?? []) {
    const by = (h.created_by ?? "").replaceAll("\t", " ").trim();
    if (h.empty_layer) {
      if (parseMergedComment(h.comment) !== undefined) merged.push(by);
      continue;
    }
    out.push([...merged, by].join(" && "));
    merged = [];
  }
  return out;
}
