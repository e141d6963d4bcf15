/**
 * The preflight's layer-depth check for a container: one overlay mount takes at most
 * OVL_MAX_STACK lower dirs (the kernel's limit), and its options must fit in one page. The
 * lower dirs are the short links `l/<16 hex>` (overlay.ts), so the length is known before any
 * layer is unpacked. Build stages have their own check while planning (engine/plan/checks.ts).
 */
import { StrataError } from "../errors/error.ts";

/** The kernel's limit on lower layers in one overlay mount (fs/overlayfs/params.h). */
export const OVL_MAX_STACK = 500;
const PAGE = 4096;
/** `l/<16 hex>` and its `:` separator. */
const LOWER_ENTRY = 19;

/**
 * Throws ENV_LAYER_DEPTH (exit 2) when `layers` lower dirs (plus `extraLowers`, absolute paths
 * such as a container's init layer) with these upper and work dirs cannot be one overlay mount.
 */
export function checkLayerDepth(what: string, layers: number, paths: { readonly upper: string; readonly work: string; readonly extraLowers?: readonly string[] }): void {
  const extra = paths.extraLowers ?? [];
  const options = "lowerdir=,upperdir=,workdir=,index=off,redirect_dir=off,metacopy=off".length + paths.upper.length + paths.work.length + extra.reduce((n, p) => n + p.length + 1, 0);
  const fit = Math.min(OVL_MAX_STACK - extra.length, Math.floor((PAGE - 1 - options) / LOWER_ENTRY));
  if (layers > fit) throw new StrataError("ENV_LAYER_DEPTH", `${what} has ${layers} layers; one overlay mount here takes at most ${fit}: squash the image (or rebuild it with fewer layers)`);
}
