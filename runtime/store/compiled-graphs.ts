import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { canonicalJson, sha256Hex } from "../../compiler/cache/canonical.ts";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import type { BuildGraph } from "../../compiler/ir/graph.ts";
import { atomicWrite } from "../fs/atomic-write.ts";
import type { Store } from "./store.ts";

/**
 * Compiled Dockerfiles, kept so that a rebuild of an unchanged Dockerfile
 * skips the parser and lowering (and loading them: most of a warm build's
 * time). An entry is keyed by everything compiling reads: the Dockerfile's
 * bytes and name, the build args, the target, the platform, the .dockerignore
 * (the build checks' CopyIgnoredFile reads it), and the build of
 * Strata itself (`compiler`: bin/strata.js names its bundle by fingerprint;
 * without one nothing is cached). It is used only while every image it
 * resolved still has the same image ID. Entries live in graphs/<hex>.json.
 */
export interface CompileKey {
  readonly compiler: string | undefined;
  readonly text: string;
  readonly name: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly target: string | undefined;
  readonly platform: string | undefined;
  /** The .dockerignore the build checks read (undefined: none). */
  readonly dockerignore?: string | undefined;
  /** --build-context names and what each is (compiler/lower/ops.ts NamedContexts). */
  readonly namedContexts?: Readonly<Record<string, unknown>>;
}

interface Entry {
  readonly graph: BuildGraph;
  readonly diagnostics: readonly Diagnostic[];
  /** Image reference → image ID (config digest), for every image the compile resolved. */
  readonly images: Readonly<Record<string, string>>;
}

function entryPath(store: Store, key: CompileKey): string | undefined {
  if (!key.compiler) return undefined;
  return join(store.layout.root, "graphs", `${sha256Hex(canonicalJson({ v: 3, ...key, target: key.target ?? null, platform: key.platform ?? null, dockerignore: key.dockerignore ?? null, namedContexts: key.namedContexts ?? {} }))}.json`);
}

export async function cachedCompile(store: Store, key: CompileKey): Promise<Omit<Entry, "images"> | undefined> {
  const path = entryPath(store, key);
  if (path === undefined) return undefined;
  let entry: Entry;
  try {
    entry = JSON.parse(await readFile(path, "utf8")) as Entry;
  } catch {
    return undefined;
  }
  for (const [ref, digest] of Object.entries(entry.images)) {
    // The build's platform: a name of an image index is read for it, as the compile read it (bases.ts).
    if ((await store.findImage(ref, key.platform))?.configDigest !== digest) return undefined;
  }
  return entry;
}

export async function rememberCompile(store: Store, key: CompileKey, entry: Entry): Promise<void> {
  const path = entryPath(store, key);
  if (path === undefined) return;
  await mkdir(join(store.layout.root, "graphs"), { recursive: true });
  await atomicWrite(path, JSON.stringify(entry), store.layout.tmp);
}
