import type { CacheRecords } from "../store/cache-records.ts";
import type { Descriptor } from "../store/content-store.ts";
import { MediaType } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import { CACHE_ARTIFACT_TYPE, CACHE_CONFIG_TYPE, CACHE_VERSION_ANNOTATION, canonical, DIFF_ID_ANNOTATION, type RemoteCacheRecord } from "./cache-format.ts";
import { readCacheConfig } from "./cache-import.ts";
import { mapLimit } from "../fs/pool.ts";
import { RegistryClient } from "./client.ts";
import { type Log, stderrLog } from "./progress.ts";
import { pushBytes, pushLayer } from "./push-image.ts";
import { parseRemote } from "./reference.ts";
import { Repository } from "./repository.ts";
import { LayoutSink } from "./cache-layout.ts";
import type { CacheExport } from "./cache-spec.ts";
import type { Compression } from "../store/compressed.ts";

/** Where an export writes: a registry repository (below) or a local OCI layout (cache-layout.ts). */
interface CacheSink {
  readonly label: string;
  existing(): Promise<Record<string, RemoteCacheRecord>>;
  putLayer(store: Store, diffId: string, compression: Compression): Promise<Descriptor>;
  putBytes(bytes: Buffer): Promise<string>;
  putManifest(bytes: Buffer): Promise<string>;
  close(): Promise<void>;
}

function registrySink(refText: string, o: { insecure?: readonly string[]; log: Log }): CacheSink {
  const ref = parseRemote(refText);
  const client = new RegistryClient(ref.host, { insecure: o.insecure ?? [], log: o.log });
  const repo = new Repository(client, ref.repository);
  return {
    label: refText,
    async existing() {
      try {
        return await readCacheConfig(repo, ref.reference);
      } catch (e) {
        if ((e as { status?: number }).status !== 404) o.log(`cache ${refText}: ignoring what is there (${(e as Error).message})`);
        return {};
      }
    },
    putLayer: (store, diffId, compression) => pushLayer(store, repo, diffId, { compression, docker: false, log: o.log }),
    putBytes: (bytes) => pushBytes(repo, bytes),
    putManifest: (bytes) => repo.putManifest(ref.reference, bytes, MediaType.manifest),
    close: () => client.close(),
  };
}

/**
 * `--cache-to`: the cache records of the build's layer keys and their layers,
 * written as the artifact cache-format.ts describes (merged with what the
 * target already holds), to a registry or a local layout folder.
 */
export async function exportCache(store: Store, records: CacheRecords, keys: readonly string[], to: CacheExport, o: { insecure?: readonly string[]; log?: Log } = {}): Promise<{ digest: string; records: number }> {
  const log = o.log ?? stderrLog;
  const sink = to.type === "registry" ? registrySink(to.target, { ...o, log }) : new LayoutSink(to.target);
  try {
    const out: Record<string, RemoteCacheRecord> = { ...(await sink.existing()) };
    const local = (await Promise.all([...new Set(keys)].map(async (k) => [k, await records.get(k)] as const))).filter(([, r]) => r !== undefined);
    const layers = new Map<string, Descriptor & { diffId: string }>();
    await mapLimit(local, 3, async ([key, r]) => {
      if (!r) return;
      if (r.diffId === null) {
        out[key] = { diffId: null, size: 0, created: r.created };
        return;
      }
      if (!(await store.content.has(r.diffId))) return;
      const d = await sink.putLayer(store, r.diffId, to.compression);
      layers.set(d.digest, { ...d, diffId: r.diffId });
      out[key] = { diffId: r.diffId, size: r.size, created: r.created, digest: d.digest, mediaType: d.mediaType, compressedSize: d.size };
    });
    // Layers of merged-in records are in the repository already; list them too so the manifest keeps them alive.
    for (const r of Object.values(out)) if (r.diffId && r.digest && r.mediaType && r.compressedSize !== undefined && !layers.has(r.digest)) layers.set(r.digest, { mediaType: r.mediaType, digest: r.digest, size: r.compressedSize, diffId: r.diffId });
    const config = Buffer.from(canonical({ version: 1, records: out }));
    const configDigest = await sink.putBytes(config);
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.manifest,
      artifactType: CACHE_ARTIFACT_TYPE,
      config: { mediaType: CACHE_CONFIG_TYPE, digest: configDigest, size: config.length },
      layers: [...layers.values()].sort((a, b) => (a.digest < b.digest ? -1 : 1)).map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size, annotations: { [DIFF_ID_ANNOTATION]: l.diffId } })),
      annotations: { [CACHE_VERSION_ANNOTATION]: "1" },
    };
    const digest = await sink.putManifest(Buffer.from(JSON.stringify(manifest)));
    log(`cache exported to ${sink.label}: ${Object.keys(out).length} records, ${layers.size} layers, ${digest}`);
    return { digest, records: Object.keys(out).length };
  } finally {
    await sink.close();
  }
}
