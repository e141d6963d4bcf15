import { z } from "zod";
import { ContainerConfigSchema } from "./image-config.ts";

/**
 * The build graph: what every front end (Dockerfile, image.ts) lowers to and
 * what the runtime executes. It is plain data, validated with zod where it
 * crosses a boundary (image.ts evaluation, JSON output).
 *
 * A graph has stages; a stage starts from a base (an image, scratch, or an
 * earlier stage) and has steps in order. A step either makes a layer (`op` is
 * a RUN or a COPY) or only changes the image config (`op` is null; the step is
 * still recorded in history with `empty_layer`). Each step stands for one
 * instruction; the merge-runs pass only marks RUN steps whose layer joins the
 * layer before it in the written image (`mergeWithPrevious`).
 */

export const SourceRefSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  start: z.number().int(),
  end: z.number().int(),
  /** The instruction as written, continuations joined (for explain and errors). */
  text: z.string(),
});
export type SourceRef = z.infer<typeof SourceRefSchema>;

export const MountSchema = z.object({
  type: z.enum(["bind", "cache", "tmpfs", "secret", "ssh"]),
  target: z.string(),
  source: z.string().optional(),
  /** For bind/cache: the stage index, image reference or named local context (`--build-context NAME=DIR`) the mount reads from; absent = build context. */
  from: z.union([z.object({ stage: z.number().int() }), z.object({ image: z.string() }), z.object({ context: z.string() })]).optional(),
  readonly: z.boolean(),
  id: z.string().optional(),
  sharing: z.enum(["shared", "private", "locked"]).optional(),
  mode: z.number().int().optional(),
  uid: z.number().int().optional(),
  gid: z.number().int().optional(),
  required: z.boolean().optional(),
  env: z.string().optional(),
  size: z.number().optional(),
});
export type Mount = z.infer<typeof MountSchema>;

/** The command a RUN step runs (one per step). */
export const RunCommandSchema = z.object({
  /** argv as the container starts it (shell form already wrapped in the SHELL). */
  args: z.array(z.string()),
  /** Files a heredoc feeds in: written under /dev/pipes-like temp paths by the executor. */
  heredocs: z.array(z.object({ name: z.string(), content: z.string(), fd: z.number().int().optional() })).default([]),
  source: SourceRefSchema,
});
export type RunCommand = z.infer<typeof RunCommandSchema>;

export const RunOpSchema = z.object({
  kind: z.literal("run"),
  command: RunCommandSchema,
  env: z.array(z.string()),
  cwd: z.string(),
  user: z.string(),
  network: z.enum(["default", "none", "host"]),
  security: z.enum(["sandbox", "insecure"]),
  mounts: z.array(MountSchema),
  /** `build --add-host`: extra /etc/hosts entries (BuildKit's ExecOp Meta.ExtraHosts). */
  extraHosts: z.array(z.object({ host: z.string(), ip: z.string() })).optional(),
  /** `build --shm-size`: the size of /dev/shm in bytes (Meta.ShmSize; 64 MiB when absent). */
  shmSize: z.number().int().positive().optional(),
  /** `build --ulimit`: rlimits of the command (Meta.Ulimit), `name` as docker spells it (nofile). */
  ulimits: z.array(z.object({ name: z.string(), soft: z.number().int(), hard: z.number().int() })).optional(),
  /** `build --security-opt seccomp=unconfined`: no seccomp profile (not keyed: it allows, it does not change what a RUN makes). */
  seccomp: z.enum(["unconfined"]).optional(),
});
export type RunOp = z.infer<typeof RunOpSchema>;

export const CopyFromSchema = z.union([
  /** The build context, or with a name the named one (`--build-context NAME=DIR`). */
  z.object({ type: z.literal("context"), name: z.string().optional() }),
  z.object({ type: z.literal("stage"), stage: z.number().int() }),
  z.object({ type: z.literal("image"), ref: z.string() }),
]);
export type CopyFrom = z.infer<typeof CopyFromSchema>;

export const CopyOpSchema = z.object({
  kind: z.literal("copy"),
  /** ADD when true (archives unpacked, URLs fetched). */
  add: z.boolean(),
  from: CopyFromSchema,
  /** Source paths or patterns, relative to the source root, expanded. */
  sources: z.array(z.string()),
  /** Inline files from heredocs: name and content. */
  inline: z.array(z.object({ name: z.string(), content: z.string() })).default([]),
  dest: z.string(),
  /** The working directory a relative dest is resolved against. */
  cwd: z.string(),
  chown: z.string().optional(),
  chmod: z.string().optional(),
  link: z.boolean(),
  parents: z.boolean(),
  exclude: z.array(z.string()),
  checksum: z.string().optional(),
  keepGitDir: z.boolean().optional(),
  unpack: z.boolean().optional(),
});
export type CopyOp = z.infer<typeof CopyOpSchema>;

/**
 * WORKDIR creates its directory, as BuildKit does: missing parts made with
 * mode 0755 and owned by the USER of that moment. When the directory already
 * exists the layer is empty, and empty layers are left out of the image.
 */
export const WorkdirOpSchema = z.object({
  kind: z.literal("workdir"),
  path: z.string(),
  user: z.string(),
});
export type WorkdirOp = z.infer<typeof WorkdirOpSchema>;

export const LayerOpSchema = z.discriminatedUnion("kind", [RunOpSchema, CopyOpSchema, WorkdirOpSchema]);
export type LayerOp = z.infer<typeof LayerOpSchema>;

export const StepSchema = z.object({
  /** The instruction this step stands for. */
  sources: z.array(SourceRefSchema).min(1),
  /** History `created_by` of each source, in order (docker's wording). */
  createdBy: z.array(z.string()).min(1),
  op: LayerOpSchema.nullable(),
  /** The history `comment` the front end writes for this step: a Dockerfile's is BuildKit's `buildkit.dockerfile.v0`. */
  comment: z.string().optional(),
  /** The image config after this step. */
  config: ContainerConfigSchema,
  /** MAINTAINER: the image's author (the top-level `author` of its config) from this step on. */
  author: z.string().optional(),
  /** The user asked for a layer boundary before this step (`# strata:layer`). */
  boundary: z.boolean().optional(),
  /** Set by merge-runs: this RUN's layer is combined with the previous step's (a RUN) when the image is written. */
  mergeWithPrevious: z.boolean().optional(),
});
export type Step = z.infer<typeof StepSchema>;

export const StageBaseSchema = z.union([
  z.object({ type: z.literal("scratch") }),
  z.object({ type: z.literal("image"), ref: z.string(), digest: z.string() }),
  z.object({ type: z.literal("stage"), stage: z.number().int() }),
]);
export type StageBase = z.infer<typeof StageBaseSchema>;

export const StageSchema = z.object({
  index: z.number().int(),
  name: z.string().optional(),
  base: StageBaseSchema,
  platform: z.string(),
  source: SourceRefSchema,
  steps: z.array(StepSchema),
  /** The config the stage starts from (the base image's, with ONBUILD cleared). */
  baseConfig: ContainerConfigSchema,
  /**
   * `FROM NAME` of a named local context (`--build-context NAME=DIR`, BuildKit's llb.Local as the
   * root): its name. The base is scratch and the first step, standing for the FROM, copies the
   * whole directory to / (a COPY --from=NAME . /, keyed and run as one).
   */
  context: z.string().optional(),
});
export type Stage = z.infer<typeof StageSchema>;

export const BuildGraphSchema = z.object({
  version: z.literal(1),
  /** After the prune pass: stages the target needs are marked used. */
  stages: z.array(StageSchema),
  /** Index of the stage whose image is the build's result. */
  target: z.number().int(),
});
export type BuildGraph = z.infer<typeof BuildGraphSchema>;
