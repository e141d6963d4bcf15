import type { BuildGraph, Stage } from "../../../compiler/ir/graph.ts";
import { OverlaySnapshotter } from "../../snapshot/overlay.ts";
import { overlayFit } from "../../snapshot/layer-depth.ts";
import { ContainerPaths } from "../../store/container-paths.ts";
import type { StoreLayout } from "../../store/layout.ts";

export interface PlanWarning {
  /** PLAN_TOO_MANY_LAYERS, PLAN_PLATFORM, PLAN_ENTITLEMENT (fatal, in the error catalogue), or a warning's name. */
  readonly code: "PLAN_TOO_MANY_LAYERS" | "PLAN_COPY_THEN_DELETE" | "PLAN_OVER_DOCKER_LAYERS" | "PLAN_PLATFORM" | "PLAN_ENTITLEMENT";
  readonly message: string;
  /** The build cannot go ahead (explain still prints the plan). */
  readonly fatal: boolean;
}

/** docker refuses an image of more layers than this ("max depth exceeded", its layer store's maxLayerDepth); so do other engines. */
export const DOCKER_MAX_LAYERS = 125;

/**
 * The most layers one mount of this store can stack, for a build step (its scratch upper
 * and work dirs under run/) and for a container of the built image (its own upper and work
 * dirs, and its init layer above the image's): overlayfs takes one page of mount options.
 */
export function maxLayers(layout: StoreLayout): { build: number; container: number } {
  return { build: overlayFit(OverlaySnapshotter.longestScratch(layout)), container: overlayFit(ContainerPaths.longest(layout.root).mountPaths) };
}

function layerCount(graph: BuildGraph, i: number, baseLayers: (ref: string) => number): number {
  const stage = graph.stages[i] as Stage;
  const own = stage.steps.filter((s) => s.op !== null).length;
  const b = stage.base;
  if (b.type === "stage") return own + layerCount(graph, b.stage, baseLayers);
  return own + (b.type === "image" ? baseLayers(b.ref) : 0);
}

/** The built image's own depth: a container of it stacks its layers under an init layer, and docker takes at most DOCKER_MAX_LAYERS. */
function imageDepth(n: number, container: number): PlanWarning[] {
  if (n > container) return [{ code: "PLAN_TOO_MANY_LAYERS", fatal: true, message: `the image would have ${n} layers; a container of it (strata run) stacks them under its init layer, and overlayfs here can mount at most ${container}: merge RUNs or squash the base` }];
  if (n > DOCKER_MAX_LAYERS) return [{ code: "PLAN_OVER_DOCKER_LAYERS", fatal: false, message: `the image will have ${n} layers; docker refuses an image of more than ${DOCKER_MAX_LAYERS} ("max depth exceeded"), as other engines do: merge RUNs or squash the base` }];
  return [];
}

/**
 * Checks made on the plan before anything runs: a stage whose layers would be
 * more than overlayfs can mount is refused, and so is an image more than a
 * container of it can mount (one over docker's limit is worth a warning). A file a step adds and
 * a later one deletes is known once the layers are (waste-warnings.ts, PLAN_COPY_THEN_DELETE).
 */
export function planWarnings(graph: BuildGraph, order: readonly number[], layout: StoreLayout, baseLayers: (ref: string) => number = () => 0): PlanWarning[] {
  const out: PlanWarning[] = [];
  const max = maxLayers(layout);
  for (const i of order) {
    const stage = graph.stages[i] as Stage;
    const n = layerCount(graph, i, baseLayers);
    if (n > max.build) out.push({ code: "PLAN_TOO_MANY_LAYERS", fatal: true, message: `stage ${stage.name ?? i} would have ${n} layers; overlayfs here can mount at most ${max.build}: merge RUNs or squash the base` });
    else if (i === graph.target) out.push(...imageDepth(n, max.container));
  }
  return out;
}
