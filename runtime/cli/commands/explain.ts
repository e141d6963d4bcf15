import { type Command, Option } from "commander";
import { formatDiagnostic } from "../../../compiler/diagnostics/format.ts";
import { type ExplainFormat, formatPlan } from "../../../compiler/explain/format.ts";
import { explainPlan } from "../../../compiler/explain/plan.ts";
import { loadRecord, targetId } from "../../build/build-record.ts";
import { CacheRecords } from "../../build/cache-records.ts";
import { StepError } from "../../build/errors.ts";
import { planBuild } from "../../build/plan.ts";
import { prepareBuild } from "../../build/prepare.ts";
import type { Store } from "../../store/store.ts";
import { openStore } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { collect, parseBuildArgs } from "../options.ts";
import { printStepError } from "../step-error.ts";

export interface ExplainOptions {
  file?: string;
  buildArg: string[];
  target?: string;
  merge: boolean;
  format: ExplainFormat;
  cacheFrom: string[];
  insecureRegistry: string[];
}

/** The options build and explain share. */
export function explainOptions(cmd: Command): Command {
  return cmd
    .option("-f, --file <file>", "the Dockerfile (default CONTEXT/Dockerfile)")
    .option("--build-arg <k=v>", "set a build-time variable; repeatable", collect, [])
    .option("--target <stage>", "build this stage")
    .option("--no-merge", "keep every RUN in a layer of its own")
    .option("--cache-from <ref>", "a remote cache to use: registry:REF (or type=registry,ref=REF); repeatable", collect, [])
    .option("--insecure-registry <host>", "allow plain HTTP to this registry (loopback always may); repeatable", collect, [])
    .addOption(new Option("--format <format>", "explain output format").choices(["text", "json", "yaml", "dot"]).default("text"));
}

/** Opens the --cache-from caches (the registry client is loaded only then); passes --insecure-registry on to base-image pulls. */
export async function openRemoteCache(store: Store, opts: { cacheFrom: string[]; insecureRegistry: string[] }) {
  if (opts.cacheFrom.length === 0) return undefined;
  const { RemoteCache } = await import("../../registry/cache-import.ts");
  const { cacheRef } = await import("../../registry/cache-format.ts");
  const { insecureRegistries } = await import("../../registry/reference.ts");
  return RemoteCache.open(store, opts.cacheFrom.map(cacheRef), { insecure: insecureRegistries(opts.insecureRegistry) });
}

/** --insecure-registry reaches base-image pulls in compileDockerfile through the environment. */
export function passInsecure(opts: { insecureRegistry: string[] }): void {
  if (opts.insecureRegistry.length > 0) process.env.STRATA_INSECURE_REGISTRIES = [process.env.STRATA_INSECURE_REGISTRIES, ...opts.insecureRegistry].filter(Boolean).join(",");
}

/** Prints the layer plan of a build without running anything. */
export async function runExplain(store: Store, path: string, opts: ExplainOptions): Promise<void> {
  passInsecure(opts);
  const prepared = await prepareBuild({ store, path, file: opts.file, buildArgs: parseBuildArgs(opts.buildArg), target: opts.target, merge: opts.merge });
  for (const d of prepared.diagnostics) process.stderr.write(`${formatDiagnostic(d, prepared.source)}\n`);
  const graph = prepared.graph;
  if (graph === undefined) {
    process.exitCode = ExitCode.failure;
    return;
  }
  try {
    const plan = await planBuild(store, graph, prepared.context);
    const cache = new CacheRecords(store.layout);
    const hits = new Set<string>();
    for (const p of plan.parts) if (await cache.has(p.key)) hits.add(p.key);
    if (opts.cacheFrom.length > 0) {
      const remote = await openRemoteCache(store, opts);
      for (const p of plan.parts) if (remote?.has(p.key)) hits.add(p.key);
      await remote?.close();
    }
    const previous = await loadRecord(store.layout, targetId(prepared.dockerfile, opts.target));
    const warnings = plan.warnings;
    const out = explainPlan({ graph, used: new Set(plan.order), parts: plan.parts, hit: (k) => hits.has(k), previous, warnings: warnings.map((w) => w.message) });
    process.stdout.write(await formatPlan(out, opts.format));
    if (warnings.some((w) => w.fatal)) process.exitCode = ExitCode.failure;
  } catch (e) {
    if (!(e instanceof StepError)) throw e;
    printStepError(e, prepared.source);
    process.exitCode = ExitCode.failure;
  }
}

export function registerExplain(program: Command): void {
  const cmd = program.command("explain").description("Show the layer plan of a build, predicted cache hits and why misses miss; runs nothing").argument("[context]", "build context directory (or a Dockerfile)", ".");
  explainOptions(cmd).action(async (path: string, opts: ExplainOptions, c: Command) => runExplain(await openStore(c), path, opts));
}
