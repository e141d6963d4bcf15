/**
 * Fetching one blob of a pull into its staging area (image/staging.ts): read no further than
 * its descriptor's size + 1 (Repository.openBlob), checked against its digest and size as it
 * arrives, retried with bounded backoff when the connection fails part-way (a reset, a stall
 * past the body timeout), the last failure naming the host and the digest. `stageShared` adds
 * the cross-process claim (store/ingest-claim.ts): of the strata processes pulling one blob into
 * one store, one downloads it and the others take its checked file.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { compressionOfMediaType } from "../image/compression.ts";
import type { Staging } from "../image/staging.ts";
import type { Descriptor } from "../store/content-store.ts";
import { claimIngest, type HeldClaim } from "../store/ingest-claim.ts";
import { failpoint } from "../fs/failpoint.ts";
import { StrataError } from "../errors/error.ts";
import { RegistryError } from "./errors.ts";
import { BODY_FAILED } from "./http.ts";
import { type Log, short } from "./progress.ts";
import type { Repository } from "./repository.ts";

const TRANSIENT = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNREFUSED", "ECONNABORTED"]);

/** A connection that failed part-way, worth another attempt (not a refusal, nor a local disk error). */
function transient(e: unknown): boolean {
  if (e instanceof StrataError) return e.code === "REGISTRY_UNREACHABLE";
  const code = (e as { code?: string }).code ?? "";
  return code === BODY_FAILED || TRANSIENT.has(code) || (e as Error).name === "AbortError" || (e as Error).message === "aborted";
}

/** The body as is, with the test-only `download` failpoint (fs/failpoint.ts) halfway through it. */
async function* halfway(body: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const c of body) {
    yield c;
    n += c.length;
    if (n * 2 >= size) failpoint("download");
  }
}

/**
 * Fetches one blob into `staging`. Stored as sent (compressed), unless `diffId` is given: then
 * it is decompressed on the way and stored uncompressed, which must hash to `diffId` (the remote
 * build cache does this, since cache hits name uncompressed layers). `what` says what it is
 * ("layer", "config").
 */
export async function fetchLayer(repo: Repository, staging: Staging, desc: Descriptor, diffId: string | undefined, log: Log, what = "layer"): Promise<{ size: number }> {
  const compression = diffId === undefined ? null : (compressionOfMediaType(desc.mediaType) ?? null);
  const attempts = Math.max(1, Number(process.env.STRATA_REGISTRY_RETRIES ?? 3));
  const backoff = Number(process.env.STRATA_REGISTRY_BACKOFF_MS ?? 200);
  for (let attempt = 1; ; attempt++) {
    try {
      // Stored as sent, each chunk is hashed and copied into the writer's batch before the next is read: views will do.
      const body = halfway(await repo.openBlob(desc.digest, desc.size, compression === null), desc.size);
      const r = await staging.ingest(body, { digest: desc.digest, size: desc.size, label: `${what} ${desc.digest} of ${repo.label}` }, compression, diffId);
      return { size: r.size };
    } catch (e) {
      if (!transient(e)) throw e;
      const why = (e as Error).message;
      if (attempt >= attempts) {
        throw new RegistryError("REGISTRY_UNREACHABLE", `${repo.client.host}: ${what} ${desc.digest} of ${repo.name}: download failed ${attempts} times, last: ${why}; nothing stored`, undefined, { cause: e });
      }
      const wait = Math.min(backoff * 2 ** (attempt - 1), 10_000);
      log(`${short(desc.digest)}: download interrupted (${why}); retrying in ${wait} ms (${attempt}/${attempts - 1})`);
      await sleep(wait);
    }
  }
}

/**
 * A blob of a pull, staged once across processes: `stored` when the store or this staging has
 * it already, `adopted` when another strata process downloaded it for this store, `fetched` when
 * this one did (its claim is added to `claims`, to be released after the pull commits or
 * discards). `fetch` downloads into `staging`.
 */
export async function stageShared(staging: Staging, desc: Descriptor, claims: HeldClaim[], fetch: () => Promise<unknown>): Promise<"stored" | "adopted" | "fetched"> {
  for (;;) {
    const c = await claimIngest(staging.store.layout, desc.digest, () => staging.has(desc.digest));
    if (c.kind === "stored") return "stored";
    if (c.kind === "staged") {
      if (await staging.adopt(c.path, { digest: desc.digest, size: desc.size })) return "adopted";
      continue;
    }
    claims.push(c);
    try {
      await fetch();
    } catch (e) {
      // The others may try it themselves at once.
      await c.release();
      throw e;
    }
    await c.staged(staging.path(desc.digest));
    return "fetched";
  }
}
