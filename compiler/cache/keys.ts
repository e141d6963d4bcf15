import type { BuildGraph, LayerOp, Stage } from "../ir/graph.ts";
import { PROXY_ARGS } from "../lower/platform.ts";
import { digestOf } from "./canonical.ts";

/**
 * Cache keys — the rules, version `strata.cache.v4`.
 *
 * A key names the root filesystem after a layer step. It is
 *
 *   "sha256:" + hex(sha256(canonicalJson({ v, kind, parent, op, input })))
 *
 * - `v`: the version tag above. Changing any rule here bumps it.
 * - canonicalJson: see canonical.ts (sorted keys, no whitespace).
 * - A stage's first key: `{ kind: "base", image: <image ID>, platform }`,
 *   `{ kind: "scratch", platform }`, or for `FROM <stage>` that stage's last key.
 * - A layer step (RUN, COPY, ADD): `parent` is the key before it, `op` the
 *   operation with what does not change the result stripped: source spans,
 *   line numbers and instruction text, history wording, and proxy ARGs
 *   (HTTP_PROXY and friends) from the environment, and a RUN's seccomp choice
 *   (`build --security-opt seccomp=unconfined` permits syscalls; a RUN that
 *   succeeds makes the same files either way). Every RUN has its own key,
 *   whether or not its layer is merged with others in the image (merging is
 *   not part of a step's key: see compiler/passes/merge-runs.ts).
 * - A merged image layer has a key of its own, `mergedLayerKey`:
 *   `{ v, kind: "merged-layer", below, layers }` with `below` the diffIDs of
 *   the filesystem under the group and `layers` the group's per-step diffIDs
 *   (those that changed something), oldest first: what the merged layer's
 *   bytes are a function of. (v2 keyed a merged group as one step.)
 * - `input` says what a step reads besides its parent: for COPY/ADD from the
 *   build context, the digest of the selected files after .dockerignore
 *   (contextDigest in runtime/engine/context/hash.ts, whose header lists what
 *   it hashes: paths as placed, types, modes, sizes, content sha256 or link
 *   targets; never mtime, inode or owner); for a RUN with bind mounts from
 *   the context, the same digest of the bound paths; for a stage, that
 *   stage's last key; for an image, its image ID. A RUN whose mounts read
 *   `from` a stage or an image (bind mounts, cache mounts seeded from one)
 *   has `input: { context?, mounts }`, `mounts` listing in mount order what
 *   each such mount reads: `{ stageKey }` (that stage's last key) or
 *   `{ image }` (its image ID), so a changed stage or image is a miss, as
 *   BuildKit keys an exec by its mounts' inputs. (v3 keyed those mounts by
 *   the stage's index or the image's ref only.) A mount `from` a named local
 *   context (`--build-context NAME=DIR`) is `{ context }`, the digest of the
 *   paths it binds as above (added within v4: such a mount was refused
 *   before, so no earlier key changes). `FROM NAME` of such a context is a
 *   scratch stage whose first step is a COPY of the whole directory to /,
 *   keyed as that COPY (lower/ops.ts contextRootOp).
 * - An image is named by its ID (the config digest, which lists its diffIDs),
 *   not its manifest digest: the same image pulled (compressed layers) or
 *   built here (uncompressed) has two manifests but one ID and one key.
 *   (v1 used the manifest digest.)
 * - A config-only step (ENV, LABEL, CMD, ...) makes no layer: its key is its
 *   parent's. Config changes reach later keys through what they change in
 *   an op (env, cwd, user, shell-wrapped argv).
 * - ARG values enter a key only through the environment of a RUN that
 *   comes after the ARG declaration, and through words they expand into.
 */
export const CACHE_KEY_VERSION = "strata.cache.v4";

/** What a mount with `from` reads: a stage (by index from the runtime, by its last key once keyed), an image by its ID, or a named local context by the digest of what it binds. */
export type MountInput = { readonly stage: number } | { readonly stageKey: string } | { readonly image: string } | { readonly context: string };

/** What a layer step reads besides its parent; resolved by the runtime before keys are computed. */
export type StepInput =
  | { readonly context: string }
  | { readonly stageKey: string }
  | { readonly image: string }
  | { readonly context?: string; readonly mounts: readonly MountInput[] }
  | undefined;

export function baseKey(stage: Stage, stageKeys: readonly string[]): string {
  const b = stage.base;
  if (b.type === "stage") {
    const k = stageKeys[b.stage];
    if (k === undefined) throw new Error(`internal: stage ${b.stage} keyed before stage ${stage.index}`);
    return k;
  }
  if (b.type === "scratch") return digestOf({ v: CACHE_KEY_VERSION, kind: "scratch", platform: stage.platform });
  return digestOf({ v: CACHE_KEY_VERSION, kind: "base", image: b.digest, platform: stage.platform });
}

export function layerKey(parent: string, op: LayerOp, input: StepInput): string {
  return digestOf({ v: CACHE_KEY_VERSION, kind: op.kind, parent, op: semanticOp(op), input });
}

/** The op with what does not change the result stripped (see the rules above). */
export function semanticOp(op: LayerOp): unknown {
  if (op.kind !== "run") return op;
  const { seccomp: _permission, ...keyed } = op;
  return {
    ...keyed,
    command: { args: op.command.args, heredocs: op.command.heredocs },
    env: op.env.filter((e) => !PROXY_ARGS.has(e.slice(0, e.indexOf("=")))),
  };
}

/**
 * The key of the image layer that combines a group's per-step layers (see the rules above).
 * `sorted`: the merge must be in name-byte order (SOURCE_DATE_EPOCH builds), a form of its own.
 */
export function mergedLayerKey(below: readonly string[], layers: readonly string[], sorted = false): string {
  return digestOf({ v: CACHE_KEY_VERSION, kind: "merged-layer", below, layers, ...(sorted && { sorted }) });
}

/** What a step's key hashes of its input: the stages it reads (COPY --from, mounts' from) named by their last keys. */
export function keyedInput(op: LayerOp, input: StepInput, stageKeys: readonly string[]): StepInput {
  if (op.kind === "copy" && op.from.type === "stage") return { stageKey: stageKeys[op.from.stage] ?? "" };
  if (input !== undefined && "mounts" in input) return { ...input, mounts: input.mounts.map((m) => ("stage" in m ? { stageKey: stageKeys[m.stage] ?? "" } : m)) };
  return input;
}

export interface GraphKeys {
  /** keys[stage][step]: the key after that step (config-only steps repeat their parent's). */
  readonly steps: readonly (readonly string[])[];
  /** The key of each stage's final filesystem. */
  readonly stages: readonly string[];
  readonly bases: readonly string[];
}

/**
 * Computes every key of the stages in `order` (dependencies first).
 * `inputOf(stage, step)` gives what a COPY reads from the context; stage and
 * image inputs are filled in here.
 */
export function computeKeys(graph: BuildGraph, order: readonly number[], inputOf: (stage: number, step: number) => StepInput): GraphKeys {
  const steps: string[][] = [];
  const stages: string[] = [];
  const bases: string[] = [];
  for (const i of order) {
    const stage = graph.stages[i] as Stage;
    let key = baseKey(stage, stages);
    bases[i] = key;
    const keys: string[] = [];
    stage.steps.forEach((step, j) => {
      if (step.op !== null) {
        key = layerKey(key, step.op, keyedInput(step.op, inputOf(i, j), stages));
      }
      keys.push(key);
    });
    steps[i] = keys;
    stages[i] = key;
  }
  return { steps, stages, bases };
}
