import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { Descriptor } from "../store/content-store.ts";
import { MediaType } from "../store/oci.ts";
import { CorruptBlobError, verifiedFile } from "../store/verified-read.ts";
import { header, type RegistryClient } from "./client.ts";
import type { Body } from "./http.ts";
import { RegistryError } from "./errors.ts";
import { checkDocument } from "../image/document.ts";

/** The most bytes of a manifest or index read (containerd's limit): reading stops one byte after. */
export const MANIFEST_LIMIT = 4 << 20;

/** The body's bytes when they are at most `limit`; undefined as soon as there are more (the rest is never read). */
async function readAtMost(body: Readable, limit: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of body as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) {
      body.destroy();
      return undefined;
    }
    parts.push(c);
  }
  return Buffer.concat(parts);
}

/** The first `limit` bytes of `body` (its views when `views`); the body is closed there, unread beyond. */
async function* atMost(body: Body, limit: number, views: boolean): AsyncGenerator<Uint8Array> {
  let left = limit;
  try {
    for await (const c of (views ? body.views?.() : undefined) ?? (body as AsyncIterable<Uint8Array>)) {
      if (c.length >= left) {
        yield c.subarray(0, left);
        return;
      }
      left -= c.length;
      yield c;
    }
  } finally {
    body.destroy();
  }
}

/** `src` as it is, each chunk added to `h` on its way. */
async function* hashed(src: AsyncIterable<Uint8Array>, h: Hash): AsyncGenerator<Uint8Array> {
  for await (const c of src) {
    h.update(c);
    yield c;
  }
}

/** The smallest blob worth a connection of its own (openBlob's `views`); smaller ones share the kept-alive ones. */
const STREAM_MIN = 1 << 20;

/** Every manifest kind Strata reads. */
export const MANIFEST_ACCEPT = [MediaType.index, MediaType.manifest, MediaType.dockerManifestList, MediaType.dockerManifest].join(", ");

/**
 * One repository's endpoints (OCI distribution spec): manifests, blobs,
 * uploads (monolithic, chunked with Content-Range PATCHes, or streamed in
 * one PATCH) and cross-repository mounts.
 */
export class Repository {
  readonly client: RegistryClient;
  readonly name: string;
  constructor(client: RegistryClient, name: string) {
    this.client = client;
    this.name = name;
  }

  get label(): string {
    return `${this.client.host}/${this.name}`;
  }
  scope(push: boolean): string {
    return `repository:${this.name}:${push ? "pull,push" : "pull"}`;
  }

  /** The manifest bytes, checked against `reference` when it is a digest. */
  async getManifest(reference: string): Promise<{ bytes: Buffer; mediaType: string; digest: string }> {
    const r = await this.client.request("GET", `/v2/${this.name}/manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT }, scopes: [this.scope(false)] }).catch((e: RegistryError) => {
      if (e.status === 404) throw new RegistryError("REGISTRY_MANIFEST_UNKNOWN", `${this.label}:${reference}: manifest unknown (no such tag or digest in the registry)`, 404);
      throw e;
    });
    const declared = Number(header(r, "content-length") ?? Number.NaN);
    const tooBig = () => new RegistryError("REGISTRY_MANIFEST_TOO_BIG", `${this.label}:${reference}: manifest larger than ${MANIFEST_LIMIT >> 20} MiB; refused`);
    if (declared > MANIFEST_LIMIT) {
      r.body.once("error", () => undefined);
      r.body.destroy();
      throw tooBig();
    }
    const bytes = await readAtMost(r.body, MANIFEST_LIMIT);
    if (bytes === undefined) throw tooBig();
    const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    if (reference.startsWith("sha256:") && reference !== digest) throw new RegistryError("REGISTRY_DIGEST_MISMATCH", `${this.label}@${reference}: the manifest the registry sent hashes to ${digest}; refused`);
    const ct = (header(r, "content-type") ?? "").split(";")[0]?.trim() ?? "";
    let doc: unknown;
    try {
      doc = JSON.parse(bytes.toString("utf8"));
    } catch {
      throw new RegistryError("REGISTRY_BAD_IMAGE", `${this.label}:${reference}: the manifest is not JSON; refused`);
    }
    checkDocument(doc, `${this.label}:${reference}: manifest ${digest}`, ct);
    const mediaType = (doc as { mediaType?: string }).mediaType ?? ct;
    return { bytes, mediaType, digest };
  }

  /** The blob's size if the repository has it. */
  async hasBlob(digest: string, push = false): Promise<number | undefined> {
    const r = await this.client.request("HEAD", `/v2/${this.name}/blobs/${digest}`, { scopes: [this.scope(push)], ok: [200, 404] });
    await r.body.dump();
    return r.status === 200 ? Number(header(r, "content-length") ?? 0) : undefined;
  }

  /**
   * The blob's bytes. With `size` (the descriptor's), bounded by it: a Content-Length that is
   * not `size` is refused before any byte is read, and reading stops at `size` + 1 bytes (the
   * store's check then refuses the blob), whatever the server goes on sending. With `views`
   * (and a size of at least STREAM_MIN), a streamed GET (http-stream.ts): each chunk is valid
   * only until the next is asked for, for a reader that copies it (the store's writer).
   */
  async openBlob(digest: string, size?: number, views = false): Promise<AsyncIterable<Uint8Array>> {
    const streamed = views && size !== undefined && size >= STREAM_MIN;
    const r = await this.client.request("GET", `/v2/${this.name}/blobs/${digest}`, { scopes: [this.scope(false)], streamed });
    if (size === undefined) return r.body;
    const length = header(r, "content-length");
    if (length !== undefined && Number(length) !== size) {
      // Destroyed unread, the body may emit an error: without a listener, an unhandled 'error' event ends the process.
      r.body.once("error", () => undefined);
      r.body.destroy();
      throw new RegistryError("REGISTRY_DIGEST_MISMATCH", `${this.label}: blob ${digest}: the registry sends ${length} bytes (Content-Length), the descriptor says ${size}; refused`);
    }
    return atMost(r.body, size + 1, streamed);
  }

  /** Mounts a blob from another repository of the same registry; false when the registry would rather have it uploaded. */
  async mountBlob(digest: string, from: string): Promise<boolean> {
    const r = await this.client.request("POST", `/v2/${this.name}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`, {
      scopes: [this.scope(true), `repository:${from}:pull`],
      ok: [201, 202],
    });
    await r.body.dump();
    if (r.status === 201) return true;
    // 202: an upload session was opened instead; leave it to expire.
    return false;
  }

  async #startUpload(): Promise<string> {
    const r = await this.client.request("POST", `/v2/${this.name}/blobs/uploads/`, { scopes: [this.scope(true)], ok: [202] });
    await r.body.dump();
    const loc = header(r, "location");
    if (!loc) throw new RegistryError("REGISTRY_ERROR", `${this.label}: upload started without a Location`);
    return new URL(loc, r.url).toString();
  }

  static #withDigest(location: string, digest: string): string {
    const u = new URL(location);
    u.searchParams.set("digest", digest);
    return u.toString();
  }

  /**
   * Uploads a blob from a file. Monolithic (POST, then one PUT with the
   * bytes) unless `chunkSize` is given and smaller than the blob: then PATCH
   * chunks with Content-Range and a closing PUT. A failed attempt starts a
   * new session (the client retries each request; this retries the whole).
   * The bytes are hashed as they are sent: a blob that does not hash to its
   * digest fails with STORE_CORRUPT before the upload is completed.
   */
  async uploadFile(desc: Descriptor, path: string, chunkSize?: number): Promise<void> {
    // The blob is checked against its digest as it is sent (store/verified-read.ts): a corrupt one is never completed.
    let corrupt: Error | undefined;
    const caught = (e: unknown): never => {
      throw corrupt ?? e;
    };
    for (let attempt = 1; ; attempt++) {
      try {
        let loc = await this.#startUpload();
        if (chunkSize && chunkSize > 0 && desc.size > chunkSize) {
          // The running hash moves on only when a chunk is through; a retried chunk is hashed from a copy again.
          let hash = createHash("sha256");
          for (let start = 0; start < desc.size; start += chunkSize) {
            const end = Math.min(desc.size, start + chunkSize) - 1;
            let sent = hash;
            const r = await this.client
              .request("PATCH", loc, {
                headers: { "content-type": "application/octet-stream", "content-length": String(end - start + 1), "content-range": `${start}-${end}` },
                body: () => {
                  sent = hash.copy();
                  const h = sent;
                  return Readable.from(hashed(createReadStream(path, { start, end, highWaterMark: 1 << 20 }), h));
                },
                scopes: [this.scope(true)],
                ok: [202],
              })
              .catch(caught);
            await r.body.dump();
            hash = sent;
            loc = new URL(header(r, "location") ?? loc, loc).toString();
          }
          const actual = `sha256:${hash.digest("hex")}`;
          if (actual !== desc.digest) {
            corrupt = new CorruptBlobError(desc.digest, actual);
            throw corrupt;
          }
          const r = await this.client.request("PUT", Repository.#withDigest(loc, desc.digest), { headers: { "content-length": "0" }, scopes: [this.scope(true)], ok: [201] });
          await r.body.dump();
        } else {
          const r = await this.client
            .request("PUT", Repository.#withDigest(loc, desc.digest), {
              headers: { "content-type": "application/octet-stream", "content-length": String(desc.size) },
              body: () =>
                verifiedFile(path, desc.digest).on("error", (e) => {
                  if (e instanceof CorruptBlobError) corrupt = e;
                }),
              scopes: [this.scope(true)],
              ok: [201],
            })
            .catch(caught);
          await r.body.dump();
        }
        return;
      } catch (e) {
        if (corrupt) throw corrupt;
        if (attempt >= 3 || !(e instanceof RegistryError) || (e.status !== undefined && e.status < 500)) throw e;
      }
    }
  }

  /**
   * A streamed upload, as docker push does it: POST, one PATCH whose body is
   * `body` as it comes (no Content-Length or Content-Range; distribution
   * takes it), then a closing PUT with the digest, asked of `digest` only
   * once the PATCH is through. The PATCH is sent once, never retried (the
   * stream cannot be read again): on failure the caller uploads otherwise.
   */
  async uploadStream(body: Readable, digest: () => Promise<string>, flushed?: (chunk: Buffer) => void): Promise<void> {
    const start = await this.#startUpload();
    const r = await this.client.request("PATCH", start, { headers: { "content-type": "application/octet-stream" }, body: () => body, flushed, once: true, scopes: [this.scope(true)], ok: [202] });
    await r.body.dump();
    const loc = new URL(header(r, "location") ?? start, start).toString();
    const put = await this.client.request("PUT", Repository.#withDigest(loc, await digest()), { headers: { "content-length": "0" }, scopes: [this.scope(true)], ok: [201] });
    await put.body.dump();
  }

  async uploadBytes(bytes: Buffer, digest: string): Promise<void> {
    const loc = await this.#startUpload();
    const r = await this.client.request("PUT", Repository.#withDigest(loc, digest), {
      headers: { "content-type": "application/octet-stream", "content-length": String(bytes.length) },
      body: () => bytes,
      scopes: [this.scope(true)],
      ok: [201],
    });
    await r.body.dump();
  }

  async putManifest(reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const r = await this.client
      .request("PUT", `/v2/${this.name}/manifests/${reference}`, {
        headers: { "content-type": mediaType, "content-length": String(bytes.length) },
        body: () => bytes,
        scopes: [this.scope(true)],
        ok: [201, 200, 202],
      })
      .catch((e: unknown) => {
        if (e instanceof RegistryError && /MANIFEST_BLOB_UNKNOWN/.test(e.message)) {
          throw new RegistryError("REGISTRY_ERROR", `${this.label}:${reference}: the registry refused the manifest, saying it lacks a blob the manifest names (${e.message}); nothing was tagged, push again`, e.status, { cause: e });
        }
        throw e;
      });
    await r.body.dump();
    return header(r, "docker-content-digest") ?? `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  }
}
