import type { Compression } from "../store/compressed.ts";

/**
 * The build caches of `--cache-from` / `--cache-to`, as buildx names them
 * (docs.docker.com/build/cache/backends/): a registry reference, or a local
 * folder holding the same artifact as an OCI image layout (cache-layout.ts).
 */
export type CacheImport = { readonly type: "registry"; readonly ref: string } | { readonly type: "local"; readonly src: string };

export interface CacheExport {
  /** inline: the cache goes in the image's config (cache-inline.ts), written by the engine before the image is tagged. */
  readonly type: "registry" | "local" | "inline";
  /** The registry reference (registry) or the layout folder (local); "" for inline. */
  readonly target: string;
  /** min: the result image's layers only; max: every stage's. */
  readonly mode: "min" | "max";
  readonly compression: Compression;
  /** ignore-error=true: a failed export is a warning, not a failed build. */
  readonly ignoreError: boolean;
}

export function cacheLabel(c: CacheImport | CacheExport): string {
  return "ref" in c ? c.ref : "src" in c ? c.src : c.target;
}
