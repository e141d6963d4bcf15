import type { CacheRecords } from "../store/cache-records.ts";
import type { Descriptor } from "../store/content-store.ts";
import { MediaType } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import { CACHE_ARTIFACT_TYPE, CACHE_CONFIG_TYPE, CACHE_VERSION_ANNOTATION, canonical, DIFF_ID_ANNOTATION, type RemoteCacheRecord } from "./cache-format.ts";
import { readCacheConfig } from "./cache-import.ts";
import { mapLimit } from "../fs/pool.ts";
import { RegistryClient } from "./client.ts";
import { type Log, stderrLog } from "./progress.ts";
import { pushBytes, pushLayer } from "./push.ts";
import { parseRemote } from "./reference.ts";
import { Repository } from "./repository.ts";

/**
 * `--cache-to registry:REF`: the cache records of the build's layer keys
 * and their layers, pushed as the artifact cache-format.ts describes
 * (merged with what REF already holds).
 */
export async function exportCache(store: Store, records: CacheRecords, keys: readonly string[], refText: string, o: { insecure?: readonly string[]; log?: Log } = {}): Promise<{ digest: string; records: number }> {
  const log = o.log ?? stderrLog;
  const ref = parseRemote(refText);
  const client = new RegistryClient(ref.host, { insecure: o.insecure ?? [], log });
  try {
    const repo = new Repository(client, ref.repository);
    const out: Record<string, RemoteCacheRecord> = {};
    try {
      Object.assign(out, await readCacheConfig(repo, ref.reference));
    } catch (e) {
      if ((e as { status?: number }).status !== 404) log(`cache ${refText}: ignoring what is there (${(e as Error).message})`);
    }
    const local = (await Promise.all([...new Set(keys)].map(async (k) => [k, await records.get(k)] as const))).filter(([, r]) => r !== undefined);
    const layers = new Map<string, Descriptor & { diffId: string }>();
    await mapLimit(local, 3, async ([key, r]) => {
      if (!r) return;
      if (r.diffId === null) {
        out[key] = { diffId: null, size: 0, created: r.created };
        return;
      }
      if (!(await store.content.has(r.diffId))) return;
      const d = await pushLayer(store, repo, r.diffId, { compression: "gzip", docker: false, log });
      layers.set(d.digest, { ...d, diffId: r.diffId });
      out[key] = { diffId: r.diffId, size: r.size, created: r.created, digest: d.digest, mediaType: d.mediaType, compressedSize: d.size };
    });
    // Layers of merged-in records are in the repository already; list them too so the manifest keeps them alive.
    for (const r of Object.values(out)) if (r.diffId && r.digest && r.mediaType && r.compressedSize !== undefined && !layers.has(r.digest)) layers.set(r.digest, { mediaType: r.mediaType, digest: r.digest, size: r.compressedSize, diffId: r.diffId });
    const config = Buffer.from(canonical({ version: 1, records: out }));
    const configDigest = await pushBytes(repo, config);
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.manifest,
      artifactType: CACHE_ARTIFACT_TYPE,
      config: { mediaType: CACHE_CONFIG_TYPE, digest: configDigest, size: config.length },
      layers: [...layers.values()].sort((a, b) => (a.digest < b.digest ? -1 : 1)).map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size, annotations: { [DIFF_ID_ANNOTATION]: l.diffId } })),
      annotations: { [CACHE_VERSION_ANNOTATION]: "1" },
    };
    const digest = await repo.putManifest(ref.reference, Buffer.from(JSON.stringify(manifest)), MediaType.manifest);
    log(`cache exported to ${refText}: ${Object.keys(out).length} records, ${layers.size} layers, ${digest}`);
    return { digest, records: Object.keys(out).length };
  } finally {
    await client.close();
  }
}
