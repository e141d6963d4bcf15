/**
 * What both directions of cp share: a resource tar (layer/write-layer.ts writeResource) piped
 * into an extraction (layer/apply-layer.ts in "unpack" mode, rooted at the destination
 * directory: nothing is written outside it, whatever the tar holds). Directories are never
 * replaced by files or the reverse (docker's NoOverwriteDirNonDir).
 */
import { PassThrough } from "node:stream";
import { applyLayer } from "../../layer/apply-layer.ts";
import { type Resource, writeResource } from "../../layer/write-layer.ts";

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/** Tars `resource` of the real directory `dir` into the real directory `extractDir`; `owner` (when given) owns every entry. Resolves with the bytes moved. */
export async function transfer(dir: string, resource: Resource, extractDir: string, owner: Owner | undefined): Promise<number> {
  const pipe = new PassThrough({ highWaterMark: 1 << 20 });
  const written = writeResource(dir, resource, pipe).catch((e: unknown) => {
    pipe.destroy(e as Error);
    throw e;
  });
  const [, applied] = await Promise.all([written, applyLayer(pipe, extractDir, { mode: "unpack", keepDirs: true, ...(owner !== undefined && { owner }) })]);
  return applied.size;
}
