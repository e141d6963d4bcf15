/**
 * Unpacking an image's layers to build on (FROM, COPY --from an image) or to run, with a
 * corrupt stored blob replaced rather than used: the unpack checks each blob against its digest
 * (snapshot/overlay.ts), and a pulled layer whose blob is corrupt is fetched again from a
 * repository known to hold it (the compressed-blob index records where each pulled layer came
 * from: store/compressed.ts), checked as it arrives, and put in place of the bad copy. A layer
 * no registry is known to have (built, loaded, imported here) fails with STORE_CORRUPT, exit 3,
 * naming the digest. The registry client (undici) is loaded only for a refetch: a build
 * unpacks its bases through here, and loading it costs a warm build ~20 ms.
 */
import { compressionOfMediaType } from "../image/compression.ts";
import { Staging } from "../image/staging.ts";
import type { Snapshotter } from "../snapshot/snapshotter.ts";
import { CompressedBlobs } from "../store/compressed.ts";
import type { Descriptor } from "../store/content-store.ts";
import type { Store } from "../store/store.ts";
import { CorruptBlobError } from "../store/verified-read.ts";
import { StrataError } from "../errors/error.ts";
import { type Log, short, stderrLog } from "./progress.ts";

/** Makes sure every layer is unpacked (`diffIds[k]` from `layers[k]`), refetching corrupt pulled blobs (see the header). */
export async function unpackLayers(store: Store, snapshots: Snapshotter, diffIds: readonly string[], layers: readonly Descriptor[], log: Log = stderrLog): Promise<void> {
  for (const [k, layer] of layers.entries()) {
    const diffId = diffIds[k] as string;
    try {
      await snapshots.unpack(diffId, layer.digest);
    } catch (e) {
      if (!(e instanceof CorruptBlobError) || e.digest !== layer.digest) throw e;
      await refetch(store, layer, diffId, e, log);
      await snapshots.unpack(diffId, layer.digest);
    }
  }
}

/** Fetches the pulled layer `layer` again from where it came, in place of its corrupt stored blob. */
async function refetch(store: Store, layer: Descriptor, diffId: string, corrupt: CorruptBlobError, log: Log): Promise<void> {
  const c = compressionOfMediaType(layer.mediaType);
  const rec = c ? await new CompressedBlobs(store.layout).get(diffId, c) : undefined;
  const sources = rec?.digest === layer.digest ? (rec.sources ?? []) : [];
  const failures: string[] = [];
  const [{ RegistryClient }, { fetchLayer }, { Repository }] = await Promise.all([import("./client.ts"), import("./fetch-blob.ts"), import("./repository.ts")]);
  for (const src of sources) {
    const slash = src.indexOf("/");
    if (slash <= 0) continue;
    const client = new RegistryClient(src.slice(0, slash), { log });
    const staging = new Staging(store);
    try {
      log(`${short(layer.digest)}: the stored blob is corrupt; fetching it again from ${src}`);
      await fetchLayer(new Repository(client, src.slice(slash + 1)), staging, layer, undefined, log);
      await store.content.delete(layer.digest);
      await staging.commit();
      return;
    } catch (e) {
      failures.push(`${src}: ${(e as Error).message}`);
    } finally {
      await staging.discard();
      await client.close();
    }
  }
  const why = sources.length === 0 ? "no registry is known to hold it (pull the image again, or rebuild it)" : `fetching it again failed (${failures.join("; ")})`;
  throw new StrataError("STORE_CORRUPT", `${corrupt.message}; ${why}`, { cause: corrupt });
}
