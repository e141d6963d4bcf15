import { resolve } from "node:path";
import type { Command } from "commander";
import { formatDiagnostic } from "../../../compiler/diagnostics/format.ts";
import { compileDockerfile } from "../../build/build.ts";
import { BuildContext } from "../../build/context.ts";
import { StepError } from "../../build/errors.ts";
import { executeGraph } from "../../build/executor.ts";
import { optimize } from "../../../compiler/passes/index.ts";
import { PlainProgress, QuietProgress } from "../../build/progress.ts";
import { codeFrame } from "../../../compiler/diagnostics/format.ts";
import { SourceFile } from "../../../compiler/source/source-file.ts";
import { readFile } from "node:fs/promises";
import { storeFrom } from "../context.ts";
import { collect, parseBuildArgs } from "../options.ts";
import { runCheck } from "./check.ts";
import type { SecretSource } from "../../build/sources.ts";
import { ExitCode } from "../exit-codes.ts";


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

export function registerBuild(program: Command): void {
  program
    .command("build")
    .description("Build an image from a Dockerfile")
    .argument("[context]", "build context directory", ".")
    .option("-f, --file <file>", "the Dockerfile (default CONTEXT/Dockerfile)")
    .option("-t, --tag <name>", "name and optionally a tag (name:tag); repeatable", collect, [])
    .option("--build-arg <k=v>", "set a build-time variable; repeatable", collect, [])
    .option("--target <stage>", "build this stage")
    .option("--no-cache", "do not use the cache")
    .option("--no-merge", "keep every RUN in a layer of its own")
    .option("-q, --quiet", "print only the image id")
    .option("--secret <spec>", "a secret for RUN --mount=type=secret: id=ID,src=FILE or id=ID,env=VAR; repeatable", collect, [])
    .option("--check", "run the build checks (as strata check) instead of building")
    .action(async (contextDir: string, opts: { file?: string; tag: string[]; buildArg: string[]; target?: string; cache: boolean; merge: boolean; quiet?: boolean; check?: boolean; secret: string[] }, cmd: Command) => {
      const store = storeFrom(cmd);
      const dockerfile = opts.file ?? resolve(contextDir, "Dockerfile");
      const buildArgs = parseBuildArgs(opts.buildArg);
      if (opts.check) {
        process.exitCode = await runCheck([dockerfile], { format: "text", buildArgs }, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
        return;
      }
      await store.init();
      const compiled = await compileDockerfile({ dockerfile, buildArgs, target: opts.target, store });
      for (const d of compiled.diagnostics) process.stderr.write(`${formatDiagnostic(d, compiled.source)}\n`);
      if (compiled.graph === undefined) {
        process.exitCode = ExitCode.failure;
        return;
      }
      const progress = opts.quiet ? new QuietProgress() : new PlainProgress();
      const sde = process.env.SOURCE_DATE_EPOCH;
      try {
        const context = await BuildContext.open(resolve(contextDir), opts.file ? resolve(opts.file) : undefined);
        const graph = optimize(compiled.graph, { mergeRuns: opts.merge });
        const result = await executeGraph({ store, graph, secrets: parseSecrets(opts.secret), context, progress, noCache: !opts.cache, sourceDateEpoch: sde ? Number(sde) : undefined });
        const id = (await store.loadManifest(result.manifest)).configDigest;
        for (const t of opts.tag) await store.refs.tag(t, result.manifest);
        if (opts.quiet) process.stdout.write(`${id}\n`);
        else {
          progress.info(`${result.executed} steps run, ${result.cached} cached`);
          progress.info(`writing image ${id} done`);
          for (const t of opts.tag) progress.info(`naming to ${t} done`);
        }
      } catch (e) {
        if (e instanceof StepError) {
          const text = await readFile(dockerfile, "utf8").catch(() => "");
          const src = new SourceFile(e.source.file, text);
          process.stderr.write(`\nERROR: ${e.source.file}:${e.source.line}: ${e.message}\n${codeFrame(src, e.source.line, e.source.column, undefined)}\n`);
          process.exitCode = ExitCode.failure;
          return;
        }
        throw e;
      }
    });
}
