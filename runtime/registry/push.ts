/**
 * `strata push`: a local image to a registry under a tag. A name that points at one manifest is
 * pushed by push-image.ts; one that points at an image index (a multi-platform image) by
 * push-index.ts, every platform and then the index. The registry's digest of what was put under
 * the tag is recorded as the local name's repository digest (docker's RepoDigests).
 */
import type { Compression } from "../store/compressed.ts";
import { familiarName, repoDigestName } from "../store/names.ts";
import type { Store } from "../store/store.ts";
import { RegistryClient } from "./client.ts";
import { type Log, stderrLog } from "./progress.ts";
import { type PushFormat, pushImageTo } from "./push-image.ts";
import { pushIndexTo } from "./push-index.ts";
import { parseRemote } from "./reference.ts";
import { Repository } from "./repository.ts";

export interface PushOptions {
  readonly store: Store;
  /** The local image (name or id). */
  readonly source: string;
  /** Where to push it (default: the source name). */
  readonly dest?: string | undefined;
  readonly insecure?: readonly string[];
  readonly compression?: Compression;
  /** Upload in chunks of this many bytes (default: monolithic). */
  readonly chunkSize?: number | undefined;
  /** Docker schema 2 media types instead of OCI (a docker manifest list for an index). */
  readonly docker?: boolean;
  readonly log?: Log;
}

/** Pushes `o.source` to `o.dest` (default: its own name); returns the familiar name and the registry's digest and size of what the tag names. */
export async function pushImage(o: PushOptions): Promise<{ name: string; digest: string; size: number }> {
  const log = o.log ?? stderrLog;
  const img = await o.store.getImage(o.source);
  const ref = parseRemote(o.dest ?? o.source);
  const client = new RegistryClient(ref.host, { insecure: o.insecure ?? [], log });
  try {
    const repo = new Repository(client, ref.repository);
    const format: PushFormat = { compression: o.compression ?? "gzip", docker: o.docker ?? false, chunkSize: o.chunkSize, log };
    const r = img.index ? await pushIndexTo(o.store, img.index, repo, ref.reference, format) : await pushImageTo(o.store, img, repo, ref.reference, format);
    // The registry's digest of the pushed manifest (or index) names the local one from now on, as docker's push records it (RepoDigests).
    await o.store.refs.tag(repoDigestName(ref.name, r.digest), img.top);
    log(`${ref.name.tag ?? "latest"}: digest: ${r.digest} size: ${r.size}`);
    return { name: familiarName(ref.name), digest: r.digest, size: r.size };
  } finally {
    await client.close();
  }
}
