import type { ContainerConfig } from "../../compiler/ir/image-config.ts";
import type { Descriptor } from "./content-store.ts";

/** OCI media types Strata writes and reads. */
export const MediaType = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  index: "application/vnd.oci.image.index.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar",
  layerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  layerZstd: "application/vnd.oci.image.layer.v1.tar+zstd",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The image config JSON (OCI image-spec config, docker-compatible). */
export interface ImageConfigJson {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config: ContainerConfig;
  rootfs: { type: "layers"; diff_ids: string[] };
  history: HistoryEntry[];
}

export interface ManifestJson {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** The bytes of an OCI image manifest: the one shape every manifest Strata writes for an image has. */
export function ociManifest(config: { digest: string; size: number }, layers: readonly Descriptor[]): Buffer {
  const manifest: ManifestJson = {
    schemaVersion: 2,
    mediaType: MediaType.manifest,
    config: { mediaType: MediaType.config, digest: config.digest, size: config.size },
    layers: [...layers],
  };
  return Buffer.from(JSON.stringify(manifest));
}

export interface IndexJson {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

/** Annotation holding the image's name on its index.json entry (skopeo's `oci:DIR:NAME`). */
export const REF_NAME = "org.opencontainers.image.ref.name";
/** containerd's annotation with the fully qualified name. */
export const IMAGE_NAME = "io.containerd.image.name";
