/** The named local build contexts (compile/named-contexts.ts) of a build, opened and looked up. */
import type { NamedContextSpec } from "../compile/named-contexts.ts";
import { StrataError } from "../../errors/error.ts";
import { BuildContext } from "./context.ts";

/** The named local directories, opened as build contexts. */
export async function openNamedContexts(specs: Readonly<Record<string, NamedContextSpec>> | undefined): Promise<ReadonlyMap<string, BuildContext>> {
  const out = new Map<string, BuildContext>();
  for (const [name, s] of Object.entries(specs ?? {})) if (s.type === "local") out.set(name.toLowerCase(), await BuildContext.open(s.dir));
  return out;
}

/** The context a COPY reads: the build's, or the named one (`from.name`); compile only names contexts that were given. */
export function namedOrMain(context: BuildContext, named: ReadonlyMap<string, BuildContext> | undefined, name: string | undefined): BuildContext {
  if (name === undefined) return context;
  const c = named?.get(name);
  if (c === undefined) throw new StrataError("COPY_SOURCE", `COPY --from=${name}: no build context named ${name} was given (--build-context ${name}=DIR)`);
  return c;
}
