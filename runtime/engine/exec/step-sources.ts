import type { BuildContext } from "../context/context.ts";

/** Where a secret's bytes come from (`strata build --secret id=X,src=FILE` or `env=VAR`). */
export type SecretSource = { readonly file: string } | { readonly env: string };

/**
 * What a build step may read besides its own rootfs: the build context,
 * finished stages and images (mounted read-only on demand), secrets, and the
 * directory that keeps cache mounts between builds.
 */
export interface StepSources {
  readonly context: BuildContext;
  /** --build-context NAME=DIR: the named local contexts. */
  readonly named?: ReadonlyMap<string, BuildContext>;
  /** The mounted, read-only root of a stage of this build (waits for the stage to finish). */
  stageRoot(stage: number): Promise<string>;
  /** The mounted, read-only root of an image in the store. */
  imageRoot(ref: string): Promise<string>;
  /** The diffIDs (bottom first) a stage's or an image's root is made of: what names its content. */
  layersOf(from: { readonly stage: number } | { readonly image: string }): Promise<readonly string[]>;
  readonly secrets: ReadonlyMap<string, SecretSource>;
  /** `build --ssh`: the agent socket of each id; absent, the `default` id is $SSH_AUTH_SOCK. */
  readonly ssh?: ReadonlyMap<string, string> | undefined;
  /** Persistent home of RUN --mount=type=cache directories (under the store). */
  readonly cacheMounts: string;
}
