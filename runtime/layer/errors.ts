/**
 * Errors raised while converting between OCI layer tars and overlayfs layer directories.
 *
 * Every refusal of a tar entry is a `LayerError` with a stable `code` and the offending
 * `entry` name exactly as it appeared in the tar, so a caller can report it and tests can
 * match on the code rather than on the wording.
 */
import { StrataError } from "../errors/error.ts";

/** Stable codes for {@link LayerError}. */
export type LayerErrorCode =
  /** The entry's path (after `..` resolution) leaves the root, or goes through a symlink that does. */
  | "LAYER_PATH_ESCAPE"
  /** The entry's name is absolute (`/etc/x`). */
  | "LAYER_PATH_ABSOLUTE"
  /** A hardlink whose target is absolute, escapes the root, or does not exist. */
  | "LAYER_LINK_ESCAPE"
  /** A hardlink whose target does not exist (in the layer or, when flattening, the rootfs). */
  | "LAYER_LINK_TARGET_MISSING"
  /** A whiteout naming `.`, `..` or nothing, or a path going through a `.wh.` directory. */
  | "LAYER_BAD_WHITEOUT"
  /** An entry the converter cannot represent (sparse files, unknown types, a non-directory at the root). */
  | "LAYER_UNSUPPORTED_ENTRY"
  /** An archive entry's parent is an existing non-directory (ADD's extraction, as tar -x: "not a directory"). */
  | "LAYER_NOT_DIRECTORY"
  /** An archive entry would replace a directory with a non-directory or the reverse, where that is refused (cp, as docker's NoOverwriteDirNonDir). */
  | "LAYER_DIR_CONFLICT"
  /** The tar stream itself is malformed (bad checksum, truncated). */
  | "LAYER_BAD_TAR"
  /** The upper directory uses overlayfs features that have no tar form (redirect_dir, metacopy). */
  | "LAYER_UNSUPPORTED_OVERLAY"
  /** The written layer failed verification before being renamed into place. */
  | "LAYER_VERIFY_FAILED";

export class LayerError extends StrataError {
  declare readonly code: LayerErrorCode;
  /** The tar entry name (or upper-dir relative path for writeLayer) the error is about; "" if none. */
  readonly entry: string;

  constructor(code: LayerErrorCode, entry: string, message: string, options?: { cause?: unknown }) {
    super(code, entry === "" ? message : `layer entry ${JSON.stringify(entry)}: ${message}`, options);
    this.name = "LayerError";
    this.entry = entry;
  }
}
