/**
 * Image indexes in the store: a name may point at an OCI image index (a multi-platform build,
 * `pull --all-platforms`, a multi-platform archive) instead of one manifest. The index lists
 * one manifest per platform, each with its platform descriptor; the store holds every manifest
 * its index lists (a pull of one more platform writes a new index with it, as containerd keeps
 * the platforms it has). Reading a name picks one child: the platform asked for, else this
 * machine's, else (for listing and inspecting an index of foreign platforms only) the first.
 */
import { hostPlatform, imagePlatform, platformMatches } from "../../compiler/lower/platform.ts";
import type { Descriptor } from "./content-store.ts";
import { type IndexJson, MediaType } from "./oci.ts";

export function isIndexType(mediaType: string | undefined): boolean {
  return mediaType === MediaType.index || mediaType === MediaType.dockerManifestList;
}

/** A child descriptor's platform, `os/arch[/variant]` ("unknown" without one). */
export function descriptorPlatform(d: Descriptor): string {
  return d.platform ? imagePlatform(d.platform) : "unknown";
}

/** The image manifests an index lists (attestation manifests and nested indexes left out). */
export function platformManifests(index: IndexJson): Descriptor[] {
  return index.manifests.filter((m) => m.platform !== undefined && m.platform.os !== "unknown" && !isIndexType(m.mediaType));
}

/**
 * The child for `platform` (a variant left out matches any, containerd's default matcher), or
 * for no platform asked, this machine's and otherwise the first; undefined when `platform` is
 * asked and absent.
 */
export function pickPlatform(index: IndexJson, platform: string | undefined): Descriptor | undefined {
  const children = platformManifests(index);
  const want = platform ?? hostPlatform(process.arch);
  const exact = children.find((m) => descriptorPlatform(m) === want) ?? children.find((m) => platformMatches(want, descriptorPlatform(m)));
  return exact ?? (platform === undefined ? children[0] : undefined);
}

/** The bytes of an OCI image index over `children` (each with its platform), in their order (buildx keeps --platform's). */
export function ociIndex(children: readonly Descriptor[]): Buffer {
  const manifests = children.map((c) => ({ mediaType: c.mediaType, digest: c.digest, size: c.size, ...(c.platform && { platform: { architecture: c.platform.architecture, os: c.platform.os, ...(c.platform.variant && { variant: c.platform.variant }) } }) }));
  const index: IndexJson = { schemaVersion: 2, mediaType: MediaType.index, manifests };
  return Buffer.from(JSON.stringify(index));
}

/** `children` with `child` added, replacing one of the same platform in its place (a pull again of a platform the index has leaves it as it was). */
export function withPlatform(children: readonly Descriptor[], child: Descriptor): Descriptor[] {
  const same = (c: Descriptor) => descriptorPlatform(c) === descriptorPlatform(child);
  return children.some(same) ? children.map((c) => (same(c) ? child : c)) : [...children, child];
}
