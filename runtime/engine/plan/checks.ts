import type { BuildGraph, Stage } from "../../../compiler/ir/graph.ts";
import type { StoreLayout } from "../../store/layout.ts";

export interface PlanWarning {
  /** PLAN_TOO_MANY_LAYERS (fatal, in the error catalogue), or a warning's name. */
  readonly code: "PLAN_TOO_MANY_LAYERS" | "PLAN_COPY_THEN_DELETE";
  readonly message: string;
  /** The build cannot go ahead (explain still prints the plan). */
  readonly fatal: boolean;
}

/** Bytes one overlay lowerdir entry takes in the mount options: `l/<16 hex>:`. */
const LOWER_ENTRY = 19;
const PAGE = 4096;

/**
 * The most layers an overlay mount of this store can stack: the kernel reads
 * mount options from one page, which holds the short lower-dir links plus the
 * upper and work dir paths.
 */
export function maxLayers(layout: StoreLayout): number {
  const fixed = "lowerdir=,upperdir=,workdir=,index=off,redirect_dir=off,metacopy=off".length + 2 * (layout.run.length + 40);
  return Math.floor((PAGE - fixed) / LOWER_ENTRY);
}

function layerCount(graph: BuildGraph, i: number, baseLayers: (ref: string) => number): number {
  const stage = graph.stages[i] as Stage;
  const own = stage.steps.filter((s) => s.op !== null).length;
  const b = stage.base;
  if (b.type === "stage") return own + layerCount(graph, b.stage, baseLayers);
  return own + (b.type === "image" ? baseLayers(b.ref) : 0);
}

/** Paths a COPY puts in the image when it names them plainly (no wildcard, one file). */
function copiedPath(op: NonNullable<Stage["steps"][number]["op"]>): string | undefined {
  if (op.kind !== "copy" || op.sources.length !== 1) return undefined;
  const src = op.sources[0] as string;
  if (/[*?[]/.test(src) || src.endsWith("/")) return undefined;
  return op.dest.endsWith("/") ? `${op.dest}${src.split("/").pop()}` : op.dest;
}

/**
 * Checks made on the plan before anything runs: a stage whose layers would be
 * more than overlayfs can mount is refused; a file a COPY adds and a later
 * RUN of the same stage deletes is worth a warning (its bytes stay in the
 * image all the same).
 */
export function planWarnings(graph: BuildGraph, order: readonly number[], layout: StoreLayout, baseLayers: (ref: string) => number = () => 0): PlanWarning[] {
  const out: PlanWarning[] = [];
  const max = maxLayers(layout);
  for (const i of order) {
    const stage = graph.stages[i] as Stage;
    const n = layerCount(graph, i, baseLayers);
    if (n > max) out.push({ code: "PLAN_TOO_MANY_LAYERS", fatal: true, message: `stage ${stage.name ?? i} would have ${n} layers; overlayfs here can mount at most ${max}: merge RUNs or squash the base` });
    stage.steps.forEach((step, j) => {
      const path = step.op ? copiedPath(step.op) : undefined;
      if (path === undefined) return;
      for (const later of stage.steps.slice(j + 1)) {
        if (later.op?.kind !== "run") continue;
        const script = later.op.command.args.join(" ");
        const rm = new RegExp(`\\brm\\b[^;&|\\n]*\\s${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\s|$|;|&|\\|)`);
        if (rm.test(script)) {
          const what = step.op?.kind === "copy" && step.op.add ? "ADD" : "COPY";
          out.push({ code: "PLAN_COPY_THEN_DELETE", fatal: false, message: `${later.sources[0]?.file}:${later.sources[0]?.line}: ${path} is added by ${what} at line ${step.sources[0]?.line} and deleted by this RUN; its bytes stay in the ${what} layer` });
          break;
        }
      }
    });
  }
  return out;
}
