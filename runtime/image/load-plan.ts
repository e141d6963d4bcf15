/**
 * What a load will store, worked out from the archive before anything is stored (load.ts): the
 * images (config, uncompressed layers, names) and, for an oci-archive's multi-platform entry,
 * the image index over them (each child with its platform); and the refusals a load says.
 */
import type { Descriptor } from "../store/content-store.ts";
import { StrataError } from "../errors/error.ts";

export class LoadError extends StrataError {
  constructor(message: string) {
    super("LOAD_REFUSED", message);
  }
}

/** Bytes in the archive that do not hash to the digest that names them (exit 3). */
export class LoadDigestError extends StrataError {
  constructor(message: string) {
    super("LOAD_DIGEST_MISMATCH", message);
  }
}

export interface PlannedImage {
  readonly names: string[];
  readonly configDigest: string;
  readonly configSize: number;
  readonly layers: { digest: string; size: number }[];
}

/** A multi-platform name: the images of the platforms the archive has, in its index's order. */
export interface PlannedIndex {
  readonly names: string[];
  readonly children: { readonly image: PlannedImage; readonly platform: NonNullable<Descriptor["platform"]> }[];
}

export interface LoadPlan {
  readonly images: PlannedImage[];
  readonly indexes: PlannedIndex[];
}
