/**
 * `--build-context NAME=VALUE` (buildx): a name that FROM NAME and COPY --from=NAME read
 * instead of a stage or image of that name. An image (`docker-image://REF`) is lowered as that
 * image reference; a local directory is a second build context (with its own .dockerignore,
 * context/named.ts), hashed into the keys of the COPY steps that read it and read by them, and
 * a stage's root filesystem when FROM names it; a git or http(s) URL is made such a directory
 * (input/named-remote.ts) when the build opens its contexts.
 */
import type { NamedContexts } from "../../../compiler/lower/ops.ts";
import type { Store } from "../../store/store.ts";

export type NamedContextSpec =
  | { readonly type: "image"; readonly ref: string }
  | { readonly type: "local"; readonly dir: string }
  | { readonly type: "git" | "url"; readonly url: string }
  | { readonly type: "oci-layout"; readonly dir: string; readonly tag?: string | undefined; readonly digest?: string | undefined };

/** The named contexts with each OCI layout's image loaded into the store (image/oci-layout.ts), named by its ID. */
export async function withLayoutsLoaded(store: Store, specs: Readonly<Record<string, NamedContextSpec>> | undefined): Promise<Readonly<Record<string, NamedContextSpec>> | undefined> {
  if (specs === undefined || !Object.values(specs).some((s) => s.type === "oci-layout")) return specs;
  const { loadLayoutImage } = await import("../../image/oci-layout.ts");
  const out: Record<string, NamedContextSpec> = {};
  for (const [name, s] of Object.entries(specs)) out[name] = s.type === "oci-layout" ? { type: "image", ref: await loadLayoutImage(store, s.dir, s) } : s;
  return out;
}

/** What lowering needs of the named contexts (and what the compiled-graph cache is keyed by). */
export function loweringContexts(specs: Readonly<Record<string, NamedContextSpec>> | undefined): NamedContexts {
  const lowered = (s: NamedContextSpec): NamedContexts[string] => {
    if (s.type === "image") return { type: "image", ref: s.ref };
    if (s.type === "oci-layout") return { type: "image", ref: `oci-layout://${s.dir}` };
    return { type: "local" };
  };
  return Object.fromEntries(Object.entries(specs ?? {}).map(([name, s]) => [name.toLowerCase(), lowered(s)]));
}
