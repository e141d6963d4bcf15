/** What the battery's registry and archive specs share: media types, a manifest's shape, sha256 names, fast retries. */
import { createHash } from "node:crypto";

/** Retries without waiting long (runtime/registry/fetch-blob.ts). */
export const FAST = { STRATA_REGISTRY_BACKOFF_MS: "5" };
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

export interface Manifest {
  mediaType?: string;
  config: { mediaType: string; digest: string; size: number };
  layers: { mediaType: string; digest: string; size: number; urls?: string[] }[];
}

/** The sha256 digest naming `b`. */
export const sha = (b: Buffer | string): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;
