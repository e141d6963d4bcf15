import { imagePlatform, platformMatches } from "../../compiler/lower/platform.ts";
import { pullImage } from "../registry/pull.ts";
import { type Log, stderrLog } from "../registry/progress.ts";
import { familiarName, parseName } from "../store/names.ts";
import type { Store } from "../store/store.ts";
import { StrataError } from "../errors/error.ts";

/**
 * `run --pull missing|always|never` and `--platform`, as docker's CLI does
 * them before it creates the container: `missing` (the default) pulls an
 * image the store lacks, saying "Unable to find image 'REF' locally" first;
 * `always` pulls every time; `never` refuses a missing image. With
 * `--platform`, a local image of another platform counts as missing, and so
 * does a local image index without that platform (the pull adds it).
 */
export type PullPolicy = "missing" | "always" | "never";

export const PULL_POLICIES: readonly PullPolicy[] = ["missing", "always", "never"];

export interface EnsureImageOptions {
  readonly store: Store;
  readonly ref: string;
  readonly pull: PullPolicy;
  readonly platform?: string | undefined;
  readonly insecure?: readonly string[];
  /** The pull's progress and the "Unable to find image" line (stderr, as docker's run prints them). */
  readonly log?: Log;
}

/** The local image for `ref`, pulling it as the policy says; throws IMAGE_NOT_FOUND (exit 125 in run) when it cannot be had. */
export async function ensureImage(o: EnsureImageOptions): Promise<void> {
  const log = o.log ?? stderrLog;
  const local = o.pull === "always" ? undefined : await o.store.findImage(o.ref, o.platform).catch((e: unknown) => (e instanceof StrataError && e.code === "IMAGE_NOT_FOUND" ? undefined : Promise.reject(e)));
  let mismatch: string | undefined;
  if (local !== undefined) {
    if (o.platform === undefined || platformMatches(o.platform, imagePlatform(local.config))) return;
    mismatch = `image with reference ${o.ref} was found but does not match the specified platform: wanted ${o.platform}, actual: ${imagePlatform(local.config)}`;
  }
  // A name, not an image ID (docker pulls only references; an ID that is not here is simply missing:
  // distribution's ParseAnyReference reads `sha256:<64 hex>` and 64 hex digits as IDs, not names).
  if (/^(?:sha256:)?[0-9a-f]{64}$/.test(o.ref)) throw new StrataError("IMAGE_NOT_FOUND", `No such image: ${o.ref}`);
  let name: string;
  try {
    name = familiarName(parseName(o.ref));
  } catch {
    throw new StrataError("IMAGE_NOT_FOUND", `No such image: ${o.ref}`);
  }
  if (o.pull === "never") {
    // An image index without the platform: the store's error says which platforms it has.
    if (mismatch === undefined && o.platform !== undefined) await o.store.getImage(o.ref, o.platform);
    throw new StrataError("IMAGE_NOT_FOUND", mismatch ?? `No such image: ${name}`);
  }
  if (o.pull === "missing" && mismatch === undefined) log(`Unable to find image '${name}' locally`);
  await pullImage({ store: o.store, ref: o.ref, platform: o.platform, insecure: o.insecure ?? [], log });
}
