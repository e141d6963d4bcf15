/**
 * What `build(request)` and `explain(request)` both do before anything runs, in one place, so the
 * plan explain prints is the plan the build executes: compile (bases resolved by the caller's
 * mode: pulled, inspected or not looked up), the build's RUN flags written into every RUN op
 * (exec/run/environment.ts: they key the RUNs), the context and the named contexts opened (fetched ones removed by `close`),
 * every key planned (plan/plan.ts), and the checks that refuse a build before any step: the
 * plan's (layer depth, platforms) and the entitlements (`--allow`).
 */
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import type { BuildGraph } from "../../compiler/ir/graph.ts";
import type { SourceFile } from "../../compiler/source/source-file.ts";
import { StepError } from "../errors/step-error.ts";
import type { CacheImport } from "../registry/cache-spec.ts";
import { targetId } from "../store/build-records.ts";
import type { BaseMode } from "./compile/bases.ts";
import { type Compiled, type CompileRequest, compileBuild } from "./compile/compile.ts";
import { BuildContext } from "./context/context.ts";
import { openNamedContexts } from "./context/named.ts";
import { entitlementChecks, type RunEnvironment, withRunEnvironment } from "./exec/run/environment.ts";
import type { PlanWarning } from "./plan/checks.ts";
import { type BuildPlan, planBuild } from "./plan/plan.ts";

/** What build and explain both take: everything that decides what is built and what the cache gives for it. */
export interface PlanRequest extends CompileRequest {
  /** --no-cache: every step runs (explain: every step misses). */
  readonly noCache: boolean;
  /** --network, --add-host, --shm-size, --ulimit, --ssh, --allow: what every RUN gets. */
  readonly run?: RunEnvironment | undefined;
  /** Build caches whose records count as hits (--cache-from): registries or local layouts. */
  readonly cacheFrom: readonly CacheImport[];
  /**
   * What names the build's target between runs when its build file is read from a scratch copy
   * (a context on stdin, a tarball, git; `-f -`): the build record explain compares with is kept
   * under it. Absent: the build file's path.
   */
  readonly recordName?: string | undefined;
  /** The compile diagnostics, as soon as they are known (warnings, or the errors that end the build). */
  readonly onDiagnostics?: ((source: SourceFile, diagnostics: readonly Diagnostic[]) => void) | undefined;
}

/** Why nothing was planned (build and explain return these as they are). */
export type NotPlanned =
  /** The build file has errors (reported through onDiagnostics); nothing ran. */
  | { readonly kind: "invalid"; readonly source: SourceFile }
  /** A step failed, or what it reads could not be read (a COPY source missing from the context, say): the error carries its instruction's source. */
  | { readonly kind: "failed"; readonly source: SourceFile; readonly error: StepError };

export type Prepared =
  | NotPlanned
  | {
      readonly kind: "planned";
      readonly source: SourceFile;
      readonly compiled: Compiled;
      /** The compiled graph with the build's RUN flags in its RUN ops. */
      readonly graph: BuildGraph;
      readonly context: BuildContext;
      readonly named: ReadonlyMap<string, BuildContext>;
      /** Removes the named contexts fetched from git or a URL: call it once the plan or the build is done. */
      readonly close: () => Promise<void>;
      readonly plan: BuildPlan;
      /** The entitlement checks, then the plan's; a fatal one refuses the build before any step. */
      readonly warnings: readonly PlanWarning[];
      /** The build record's id (store/build-records.ts). */
      readonly record: string;
    };

/** Compiles and plans the request, running nothing. */
export async function prepareBuild(r: PlanRequest, bases: BaseMode): Promise<Prepared> {
  await r.store.init();
  const compiled = await compileBuild({ ...r, bases });
  r.onDiagnostics?.(compiled.source, compiled.diagnostics);
  const { source, file } = compiled;
  if (compiled.graph === undefined) return { kind: "invalid", source };
  const graph = r.run === undefined ? compiled.graph : withRunEnvironment(compiled.graph, r.run);
  const context = await BuildContext.open(file.contextDir, file.explicit ? file.path : undefined);
  const opened = await openNamedContexts(r.namedContexts, r.store.layout.tmp);
  let plan: BuildPlan;
  try {
    plan = await planBuild({ layout: r.store.layout, graph, context, named: opened.contexts, image: (ref) => compiled.images.image(ref) });
  } catch (e) {
    await opened.close();
    if (e instanceof StepError) return { kind: "failed", source, error: e };
    throw e;
  }
  const warnings = [...entitlementChecks(graph, plan.order, r.run ?? {}), ...plan.warnings];
  return { kind: "planned", source, compiled, graph, context, named: opened.contexts, close: opened.close, plan, warnings, record: targetId(r.recordName ?? file.path, r.target, r.platform) };
}
