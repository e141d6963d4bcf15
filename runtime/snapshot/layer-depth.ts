/**
 * How deep one overlay mount can stack: at most OVL_MAX_STACK lower dirs (the kernel's limit),
 * and its options must fit in one page. The lower dirs are the short links `l/<16 hex>`
 * (overlay.ts), so the limit is known from the upper, work and extra lower paths alone, before
 * any layer is unpacked. The build plan checks every stage against a build step's mount and the
 * image against a container's (engine/plan/checks.ts); a container is checked again as it is
 * created (container/create.ts).
 */
import { StrataError } from "../errors/error.ts";
import { writableOverlayOptions } from "./overlay-options.ts";

/** The kernel's limit on lower layers in one overlay mount (fs/overlayfs/params.h). */
export const OVL_MAX_STACK = 500;
/** The mount options are copied into one page (the kernel's mount data). */
const PAGE = 4096;
/** `l/<16 hex>` and its `:` separator. */
const LOWER_ENTRY = 19;

/** The paths of one overlay mount besides its short-link lower dirs. */
export interface OverlayPaths {
  readonly upper: string;
  readonly work: string;
  /** Absolute lower dirs above the layers, such as a container's init layer. */
  readonly extraLowers?: readonly string[];
}

/** The most layers (short-link lower dirs) one overlay mount with these paths can take. */
export function overlayFit(paths: OverlayPaths): number {
  const extra = paths.extraLowers ?? [];
  const options = `lowerdir=,upperdir=,workdir=,${writableOverlayOptions().join(",")}`.length + paths.upper.length + paths.work.length + extra.reduce((n, p) => n + p.length + 1, 0);
  return Math.min(OVL_MAX_STACK - extra.length, Math.floor((PAGE - 1 - options) / LOWER_ENTRY));
}

/** Throws ENV_LAYER_DEPTH (exit 2) when `layers` lower dirs with these paths cannot be one overlay mount. */
export function checkLayerDepth(what: string, layers: number, paths: OverlayPaths): void {
  const fit = overlayFit(paths);
  if (layers > fit) throw new StrataError("ENV_LAYER_DEPTH", `${what} has ${layers} layers; one overlay mount here takes at most ${fit}: squash the image (or rebuild it with fewer layers)`);
}
