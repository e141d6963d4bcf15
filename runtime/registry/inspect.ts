import { createHash } from "node:crypto";
import { familiarName } from "../store/names.ts";
import type { ImageConfigJson } from "../store/oci.ts";
import { RegistryClient } from "./client.ts";
import { RegistryError } from "./errors.ts";
import { quietLog } from "./progress.ts";
import { imageManifest, type PullOptions } from "./pull.ts";
import { parseRemote } from "./reference.ts";
import { Repository } from "./repository.ts";

/** An image config larger than this is refused (docker's are a few kB; a long history a few hundred). */
const MAX_CONFIG = 8 << 20;

/** As a pull's, without a store: nothing is stored. */
export type InspectOptions = Omit<PullOptions, "store">;

/** What a registry says of an image without any of its layers. */
export interface RemoteImage {
  /** The familiar name (busybox:latest). */
  readonly name: string;
  readonly registry: string;
  /** The manifest digest in the registry. */
  readonly remoteDigest: string;
  /** The image ID. */
  readonly configDigest: string;
  readonly config: ImageConfigJson;
  readonly layers: number;
}

/**
 * Fetches an image's manifest (through its index, for `platform`) and its
 * config, each checked against its digest, and nothing else: what `strata
 * explain` needs of a base image the store lacks. Nothing is stored.
 */
export async function inspectRemote(o: InspectOptions): Promise<RemoteImage> {
  const ref = parseRemote(o.ref);
  const log = o.log ?? quietLog;
  const client = new RegistryClient(ref.host, { insecure: o.insecure ?? [], log });
  const repo = new Repository(client, ref.repository);
  const label = familiarName(ref.name);
  try {
    const { top, manifest } = await imageManifest(repo, ref.reference, o.platform, label);
    const want = manifest.config;
    if (want.size > MAX_CONFIG) throw new RegistryError("REGISTRY_BAD_IMAGE", `${label}: its config is ${want.size} bytes, more than the ${MAX_CONFIG} bytes Strata reads; refused`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of await repo.openBlob(want.digest)) {
      size += (c as Buffer).length;
      if (size > want.size) throw new RegistryError("REGISTRY_DIGEST_MISMATCH", `${label}: config ${want.digest} is longer than its descriptor's ${want.size} bytes; refused`);
      chunks.push(c as Buffer);
    }
    const bytes = Buffer.concat(chunks);
    const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    if (digest !== want.digest) throw new RegistryError("REGISTRY_DIGEST_MISMATCH", `${label}: config ${want.digest}: the bytes received hash to ${digest}; refused`);
    return { name: label, registry: ref.host, remoteDigest: top.digest, configDigest: digest, config: JSON.parse(bytes.toString("utf8")) as ImageConfigJson, layers: manifest.layers.length };
  } finally {
    await client.close();
  }
}
