/**
 * The options every overlay mount of Strata's takes beside its dirs: no index, no redirect dirs,
 * no metacopy (so an upper dir is a self-contained change set, runtime/layer/write-layer.ts),
 * and in a user namespace `userxattr` (overlayfs' marks under user.overlay.*, fs/userns.ts),
 * where the kernel refuses `redirect_dir=` beside it: there redirects are off by the mode itself.
 */
import { overlayNamespaceOptions } from "../fs/userns.ts";

/** For a mount with an upper dir. */
export function writableOverlayOptions(): string[] {
  const userns = overlayNamespaceOptions();
  return userns.length > 0 ? ["index=off", "metacopy=off", ...userns] : ["index=off", "redirect_dir=off", "metacopy=off"];
}

/** For a read-only mount of lower dirs only. */
export function readonlyOverlayOptions(): string[] {
  return [...overlayNamespaceOptions()];
}
