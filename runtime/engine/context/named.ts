/**
 * The named local build contexts (compile/named-contexts.ts) of a build, opened and looked up: a
 * directory in place; a git or http(s) URL fetched into a scratch directory under the store's
 * tmp (input/named-remote.ts), removed by `close()` (a killed build's is reclaimed by
 * store/reclaim.ts: its name carries the pid).
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { NamedContextSpec } from "../compile/named-contexts.ts";
import { StrataError } from "../../errors/error.ts";
import { fetchNamedContext } from "../input/named-remote.ts";
import { BuildContext } from "./context.ts";

export interface NamedContextDirs {
  /** By name (lower-case). */
  readonly contexts: ReadonlyMap<string, BuildContext>;
  /** Removes what was fetched (always call it). */
  close(): Promise<void>;
}

/** The named directories, opened as build contexts; `tmp`: where fetched ones go. */
export async function openNamedContexts(specs: Readonly<Record<string, NamedContextSpec>> | undefined, tmp: string): Promise<NamedContextDirs> {
  const contexts = new Map<string, BuildContext>();
  const scratch: string[] = [];
  const close = async (): Promise<void> => {
    for (const d of scratch) await rm(d, { recursive: true, force: true });
  };
  try {
    for (const [name, s] of Object.entries(specs ?? {})) {
      if (s.type === "local") contexts.set(name.toLowerCase(), await BuildContext.open(s.dir));
      if (s.type !== "git" && s.type !== "url") continue;
      await mkdir(tmp, { recursive: true });
      const dir = await mkdtemp(join(tmp, `named-context-${process.pid}-`));
      scratch.push(dir);
      contexts.set(name.toLowerCase(), await BuildContext.open(await fetchNamedContext(name, s, dir)));
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { contexts, close };
}

/** The context a COPY reads: the build's, or the named one (`from.name`); compile only names contexts that were given. */
export function namedOrMain(context: BuildContext, named: ReadonlyMap<string, BuildContext> | undefined, name: string | undefined): BuildContext {
  if (name === undefined) return context;
  const c = named?.get(name);
  if (c === undefined) throw new StrataError("COPY_SOURCE", `COPY --from=${name}: no build context named ${name} was given (--build-context ${name}=DIR)`);
  return c;
}
