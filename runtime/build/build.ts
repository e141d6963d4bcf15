import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type Diagnostic, hasErrors } from "../../compiler/diagnostics/diagnostic.ts";
import type { BuildGraph } from "../../compiler/ir/graph.ts";
import type { BaseImage } from "../../compiler/lower/dockerfile.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import type { Store } from "../store/store.ts";
import { cachedCompile, rememberCompile } from "./graph-cache.ts";

export interface CompileOptions {
  readonly dockerfile: string;
  /** The name diagnostics use for the file (as the user wrote it). */
  readonly displayName?: string;
  readonly buildArgs: Record<string, string>;
  readonly target?: string | undefined;
  readonly store: Store;
  /** Registries a missing base image may be pulled from over plain HTTP (--insecure-registry). */
  readonly insecureRegistries?: readonly string[];
  /** os/arch to pull bases for (default: this machine's). */
  readonly platform?: string | undefined;
}

export interface CompileResult {
  readonly source: SourceFile;
  readonly graph: BuildGraph | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Reads, parses and lowers a Dockerfile, looking its base images up in the
 * local store and pulling those it lacks. Lowering is pure; it names the images it could not resolve,
 * they are looked up, and it runs again.
 */
export async function compileDockerfile(o: CompileOptions): Promise<CompileResult> {
  const path = resolve(o.dockerfile);
  const text = await readFile(path, "utf8");
  const source = new SourceFile(o.displayName ?? o.dockerfile, text);
  const key = { text, name: source.name, buildArgs: o.buildArgs, target: o.target };
  const cached = await cachedCompile(o.store, key);
  if (cached) return { source, graph: cached.graph, diagnostics: cached.diagnostics };
  // The parser and lowering are loaded only when there is something to compile.
  const [{ parseDockerfile }, { lowerDockerfile }] = await Promise.all([import("../../compiler/dockerfile/parse.ts"), import("../../compiler/lower/dockerfile.ts")]);
  const parsed = parseDockerfile(source);
  if (hasErrors(parsed.diagnostics)) return { source, graph: undefined, diagnostics: parsed.diagnostics };
  const images = new Map<string, BaseImage>();
  const lower = () =>
    lowerDockerfile({ source, ast: parsed.ast, instructions: parsed.instructions, buildArgs: o.buildArgs, target: o.target, resolveImage: (ref) => images.get(ref) });
  let lowered = lower();
  if (lowered.missingImages.length > 0) {
    const diagnostics: Diagnostic[] = [];
    for (const ref of lowered.missingImages) {
      let img = await o.store.findImage(ref);
      let pullError: string | undefined;
      if (!img && ref !== "scratch") {
        // Not local: pull it (the registry client is loaded only when needed).
        try {
          const { pullImage } = await import("../registry/pull.ts");
          const { insecureRegistries } = await import("../registry/reference.ts");
          const pulled = await pullImage({ store: o.store, ref, insecure: insecureRegistries(o.insecureRegistries), platform: o.platform });
          img = await o.store.findImage(pulled.name);
        } catch (e) {
          pullError = (e as Error).message;
        }
      }
      if (img) images.set(ref, { ref, digest: img.configDigest, config: img.config.config });
      else {
        const from = parsed.instructions.find((i) => i.kind === "FROM" && i.image.text === ref);
        diagnostics.push({
          code: "IMG001",
          severity: "error",
          message: `image "${ref}" is not in the local store${pullError ? ` and could not be pulled: ${pullError}` : ""}`,
          file: source.name,
          span: from?.span ?? { start: 0, end: 0 },
          hint: `import or pull it first, e.g. strata import rootfs.tar ${ref}`,
        });
      }
    }
    if (diagnostics.length > 0) return { source, graph: undefined, diagnostics: [...parsed.diagnostics, ...diagnostics] };
    lowered = lower();
  }
  const diagnostics = [...parsed.diagnostics, ...lowered.diagnostics];
  if (lowered.graph !== undefined) {
    const used = Object.fromEntries([...images].map(([ref, img]) => [ref, img.digest]));
    await rememberCompile(o.store, key, { graph: lowered.graph, diagnostics, images: used });
  }
  return { source, graph: lowered.graph, diagnostics };
}
