/**
 * A multi-platform build (`--platform linux/amd64,linux/arm64`): the request is built once per
 * platform (each lowered for its platform, with its TARGET* args and its bases' images for that
 * platform), one after another, so a stage every platform shares (`FROM --platform=$BUILDPLATFORM`:
 * its cache keys are alike) is built by the first and a cache hit for the rest. The images are
 * then named by one OCI image index (store/image-index.ts), as buildx's result is.
 */
import { parsePlatform } from "../../compiler/lower/platform.ts";
import type { Descriptor } from "../store/content-store.ts";
import { type BuildRequest, type BuildResult, build } from "./build.ts";
import type { PlanWarning } from "./plan/checks.ts";
import { platformProgress } from "./platform-progress.ts";

/** Builds `r` for each of `platforms` and tags the index of the images with `r.tags`. */
export async function buildPlatforms(r: BuildRequest, platforms: readonly string[]): Promise<BuildResult> {
  const children: Descriptor[] = [];
  let executed = 0;
  let cached = 0;
  let last: BuildResult | undefined;
  const warnings = new Map<string, PlanWarning>();
  // Each platform's steps named with it and numbered on from the platform before (buildx's `#7 [linux/arm64 2/3] RUN …`).
  const progressFor = platformProgress(r.progress);
  for (const platform of platforms) {
    r.progress.info(`building for ${platform}`);
    // Each image is kept untagged until the index names it (a prune in between leaves it be).
    const one = await build({ ...r, platform, tags: [], progress: progressFor(platform) });
    if (one.kind !== "built") return one;
    const p = parsePlatform(platform);
    children.push({ ...one.manifest, platform: { os: p.os, architecture: p.arch, ...(p.variant && { variant: p.variant }) } });
    executed += one.executed;
    cached += one.cached;
    for (const w of one.warnings) warnings.set(w.message, w);
    last = one;
  }
  if (last?.kind !== "built") throw new Error("internal: a multi-platform build of no platform");
  const { store } = r;
  const index = await store.writeIndex(children);
  for (const t of r.tags) await store.refs.tag(t, index);
  if (r.tags.length === 0) await store.refs.keepUntagged(index);
  for (const c of children) await store.refs.dropUntagged(c.digest);
  // The ID of a multi-platform image is its index's digest (what buildx's --iidfile and docker's image store say).
  return { ...last, id: index.digest, manifest: index, executed, cached, warnings: [...warnings.values()] };
}
