/**
 * Strict manifests and indexes (OCI image-spec's guidance after CVE-2021-41190), for every
 * reader of one: pull (registry/repository.ts, with the Content-Type the registry served) and
 * OCI-layout load (load.ts, which has none). A document is one kind: an index has `manifests`
 * and no `layers` or `config`; a manifest has `layers` or `config` and no `manifests`; its
 * `mediaType`, when set, names its own kind; and it agrees with the Content-Type it came with.
 * Anything else is refused with exit 3: two readers could each see a different image in it.
 */
import { StrataError } from "../errors/error.ts";
import { MediaType } from "../store/oci.ts";

const INDEX_TYPES: ReadonlySet<string> = new Set([MediaType.index, MediaType.dockerManifestList]);
const MANIFEST_TYPES: ReadonlySet<string> = new Set([MediaType.manifest, MediaType.dockerManifest]);

export type DocumentKind = "index" | "manifest";

function kindOfType(mt: string): DocumentKind | undefined {
  return INDEX_TYPES.has(mt) ? "index" : MANIFEST_TYPES.has(mt) ? "manifest" : undefined;
}

/**
 * The kind of the parsed document `doc`, checked as the header says. `contentType` is what the
 * registry served it as (undefined for a file); `label` names it in a refusal.
 */
export function checkDocument(doc: unknown, label: string, contentType?: string): DocumentKind | undefined {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new StrataError("DOCUMENT_AMBIGUOUS", `${label}: not a JSON object; refused`);
  const d = doc as { mediaType?: unknown; manifests?: unknown; layers?: unknown; config?: unknown };
  const isIndex = d.manifests !== undefined;
  const isManifest = d.layers !== undefined || d.config !== undefined;
  if (isIndex && isManifest) throw new StrataError("DOCUMENT_AMBIGUOUS", `${label}: has both manifests (an index) and ${d.layers !== undefined ? "layers" : "config"} (a manifest); refused`);
  const own = typeof d.mediaType === "string" ? d.mediaType : undefined;
  const structural: DocumentKind | undefined = isIndex ? "index" : isManifest ? "manifest" : undefined;
  const declared = own === undefined ? undefined : kindOfType(own);
  if (declared !== undefined && structural !== undefined && declared !== structural) throw new StrataError("DOCUMENT_AMBIGUOUS", `${label}: its mediaType ${own} says ${declared}, but it has the fields of ${structural === "index" ? "an index" : "a manifest"}; refused`);
  const served = contentType?.split(";")[0]?.trim() ?? "";
  const servedKind = kindOfType(served);
  if (servedKind !== undefined) {
    if (own !== undefined && own !== served) throw new StrataError("REGISTRY_CONTENT_TYPE", `${label}: its mediaType is ${own}, but the registry served it as ${served}; refused`);
    const kind = declared ?? structural;
    if (kind !== undefined && kind !== servedKind) throw new StrataError("REGISTRY_CONTENT_TYPE", `${label}: it is ${kind === "index" ? "an index" : "a manifest"}, but the registry served it as ${served}; refused`);
  }
  return declared ?? structural ?? servedKind;
}
