/**
 * `--build-context NAME=VALUE` (buildx): a name that FROM NAME and COPY --from=NAME read
 * instead of a stage or image of that name. An image (`docker-image://REF`) is lowered as that
 * image reference; a local directory is a second build context (with its own .dockerignore,
 * context/named.ts), hashed into the keys of the COPY steps that read it and read by them.
 */
import type { NamedContexts } from "../../../compiler/lower/ops.ts";

export type NamedContextSpec = { readonly type: "image"; readonly ref: string } | { readonly type: "local"; readonly dir: string };

/** What lowering needs of the named contexts (and what the compiled-graph cache is keyed by). */
export function loweringContexts(specs: Readonly<Record<string, NamedContextSpec>> | undefined): NamedContexts {
  return Object.fromEntries(Object.entries(specs ?? {}).map(([name, s]) => [name.toLowerCase(), s.type === "image" ? { type: "image", ref: s.ref } : { type: "local" }]));
}

