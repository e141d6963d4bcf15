/**
 * The layers of a stored image as the waste analysis reads them (analyze.ts): each manifest layer
 * with its diffID, where its bytes are (layer-headers.ts `layerSource`: the uncompressed blob when
 * the store has it, else the compressed one the manifest names) and the instruction that made it
 * (`instructions`, bottom first: the CLI reads them from the history, cli/layers/instructions.ts).
 */
import type { LoadedImage, Store } from "../../store/store.ts";
import { type AnalyzeOptions, analyzeLayers, type LayerAnalysis, type LayerInput } from "./analyze.ts";
import { layerSource } from "./layer-headers.ts";

export async function analyzeImage(store: Store, img: LoadedImage, o: AnalyzeOptions & { instructions?: readonly string[] } = {}): Promise<LayerAnalysis> {
  const diffIds = img.config.rootfs.diff_ids;
  const inputs: LayerInput[] = await Promise.all(
    img.manifest.layers.map(async (l, i) => {
      const diffId = diffIds[i] ?? l.digest;
      return { diffId, digest: l.digest, createdBy: o.instructions?.[i] ?? "", source: await layerSource(store, diffId, l.digest) };
    }),
  );
  return analyzeLayers(store, inputs, o);
}
