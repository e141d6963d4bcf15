import { type Command, Option } from "commander";
import { formatDiagnostic } from "../../../compiler/diagnostics/format.ts";
import { targetId, saveRecord } from "../../build/build-record.ts";
import { StepError } from "../../build/errors.ts";
import { executeGraph } from "../../build/executor.ts";
import { planBuild } from "../../build/plan.ts";
import { prepareBuild } from "../../build/prepare.ts";
import { createProgress, type ProgressMode } from "../../build/progress/index.ts";
import type { SecretSource } from "../../build/sources.ts";
import { openStore } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { collect, parseBuildArgs } from "../options.ts";
import { printStepError } from "../step-error.ts";
import { explainOptions, openRemoteCache, passInsecure, runExplain } from "./explain.ts";

/** `--secret id=X,src=FILE` / `id=X,env=VAR` (also `source=`, `type=file|env`; a bare `id=X` reads the env var X). */
export function parseSecrets(specs: readonly string[]): Map<string, SecretSource> {
  const out = new Map<string, SecretSource>();
  for (const spec of specs) {
    const kv = new Map(spec.split(",").map((f) => [f.slice(0, f.indexOf("=") < 0 ? f.length : f.indexOf("=")), f.slice(f.indexOf("=") + 1)] as [string, string]));
    const id = kv.get("id");
    if (!id) throw new Error(`--secret ${spec}: missing id=`);
    const src = kv.get("src") ?? kv.get("source");
    const env = kv.get("env");
    if (src !== undefined && kv.get("type") !== "env") out.set(id, { file: src });
    else out.set(id, { env: env ?? src ?? id });
  }
  return out;
}

interface BuildOptions {
  file?: string;
  tag: string[];
  buildArg: string[];
  target?: string;
  cache: boolean;
  merge: boolean;
  quiet?: boolean;
  check?: boolean;
  explain?: boolean;
  format: "text" | "json" | "yaml" | "dot";
  secret: string[];
  progress: ProgressMode;
  cacheFrom: string[];
  cacheTo?: string;
  insecureRegistry: string[];
}

export function registerBuild(program: Command): void {
  const cmd = program
    .command("build")
    .description("Build an image from a Dockerfile")
    .argument("[context]", "build context directory (or a Dockerfile)", ".")
    .option("-t, --tag <name>", "name and optionally a tag (name:tag); repeatable", collect, [])
    .option("--no-cache", "do not use the cache")
    .option("-q, --quiet", "print only the image id")
    .option("--secret <spec>", "a secret for RUN --mount=type=secret: id=ID,src=FILE or id=ID,env=VAR; repeatable", collect, [])
    .addOption(new Option("--progress <mode>", "progress output").choices(["auto", "tty", "plain", "quiet", "rawjson"]).default("auto"))
    .option("--check", "run the build checks (as strata check) instead of building")
    .option("--explain", "print the layer plan (as strata explain) instead of building")
    .option("--cache-to <ref>", "export the build cache to a registry: registry:REF (or type=registry,ref=REF)");
  explainOptions(cmd).action(async (contextDir: string, opts: BuildOptions, c: Command) => {
    const store = await openStore(c);
    const buildArgs = parseBuildArgs(opts.buildArg);
    if (opts.explain) {
      await runExplain(store, contextDir, opts);
      return;
    }
    passInsecure(opts);
    const prepared = await prepareBuild({ store, path: contextDir, file: opts.file, buildArgs, target: opts.target, merge: opts.merge });
    if (opts.check) {
      const { runCheck } = await import("./check.ts");
      process.exitCode = await runCheck([prepared.dockerfile], { format: "text", buildArgs }, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
      return;
    }
    for (const d of prepared.diagnostics) process.stderr.write(`${formatDiagnostic(d, prepared.source)}\n`);
    if (prepared.graph === undefined) {
      process.exitCode = ExitCode.failure;
      return;
    }
    const progress = createProgress(opts.quiet ? "quiet" : opts.progress);
    const sde = process.env.SOURCE_DATE_EPOCH;
    const remoteCache = opts.cache ? await openRemoteCache(store, opts) : undefined;
    try {
      const plan = await planBuild(store, prepared.graph, prepared.context);
      for (const w of plan.warnings) process.stderr.write(`${w.fatal ? "error" : "warning"}: ${w.message}\n`);
      if (plan.warnings.some((w) => w.fatal)) {
        process.exitCode = ExitCode.failure;
        return;
      }
      const result = await executeGraph({
        store,
        plan,
        graph: prepared.graph,
        context: prepared.context,
        progress,
        noCache: !opts.cache,
        sourceDateEpoch: sde ? Number(sde) : undefined,
        secrets: parseSecrets(opts.secret),
        remoteCache,
      });
      if (opts.cacheTo) {
        const { exportCache } = await import("../../registry/cache-export.ts");
        const { cacheRef } = await import("../../registry/cache-format.ts");
        const { insecureRegistries } = await import("../../registry/reference.ts");
        const { CacheRecords } = await import("../../build/cache-records.ts");
        await exportCache(store, new CacheRecords(store.layout), result.plan.parts.map((p) => p.key), cacheRef(opts.cacheTo), { insecure: insecureRegistries(opts.insecureRegistry) });
      }
      await saveRecord(store.layout, targetId(prepared.dockerfile, opts.target), result.plan.parts);
      const id = (await store.loadManifest(result.manifest)).configDigest;
      for (const t of opts.tag) await store.refs.tag(t, result.manifest);
      if (opts.quiet) process.stdout.write(`${id}\n`);
      else {
        progress.info(`${result.executed} steps run, ${result.cached} cached`);
        progress.info(`writing image ${id} done`);
        for (const t of opts.tag) progress.info(`naming to ${t} done`);
      }
    } catch (e) {
      progress.close();
      await remoteCache?.close();
      if (!(e instanceof StepError)) throw e;
      printStepError(e, prepared.source);
      process.exitCode = ExitCode.failure;
      return;
    }
    progress.close();
    await remoteCache?.close();
  });
}
