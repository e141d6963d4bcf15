import { StrataError } from "../../errors/error.ts";
import type { Compression } from "../../store/compressed.ts";
import { imageReference } from "../options.ts";
import { choice, csvSpec, required, specType } from "./csv-spec.ts";

/**
 * `-o, --output` as buildx reads it (docs.docker.com/build/exporters/): `type=local,dest=DIR`
 * (the result's root filesystem), `type=tar,dest=FILE|-` (the same as one tar), `type=oci|docker,
 * dest=FILE[,name=REF]` (an OCI / docker archive, as `strata save` writes them), `type=image
 * [,name=REF][,push=true]` and `type=registry[,name=REF]` (= image,push=true), `type=cacheonly`;
 * the image outputs take `compression=gzip|zstd` for their layers (gzip by default).
 * A value without `=` is buildx's shorthand: `-` is type=tar to standard output, a path is
 * type=local,dest=PATH.
 */
export type OutputSpec =
  | { readonly type: "local" | "tar"; readonly dest: string }
  | { readonly type: "oci" | "docker"; readonly dest: string | undefined; readonly name: string | undefined; readonly compression: Compression }
  | { readonly type: "image"; readonly name: string | undefined; readonly push: boolean; readonly compression: Compression }
  | { readonly type: "cacheonly" };

const TYPES = ["local", "tar", "oci", "docker", "image", "registry", "cacheonly"] as const;
const KEYS: Record<(typeof TYPES)[number], readonly string[]> = {
  local: ["type", "dest"],
  tar: ["type", "dest"],
  oci: ["type", "dest", "name", "compression"],
  docker: ["type", "dest", "name", "compression"],
  image: ["type", "name", "push", "compression"],
  registry: ["type", "name", "compression"],
  cacheonly: ["type"],
};
const FLAG = "--output";

export function parseOutput(spec: string): OutputSpec {
  if (!spec.includes("=")) {
    if (spec === "") throw new StrataError("USAGE", `${FLAG}: empty value`);
    return spec === "-" ? { type: "tar", dest: "-" } : { type: "local", dest: spec };
  }
  const typeValue = specType(spec);
  if (typeValue === undefined) throw new StrataError("USAGE", `${FLAG} ${spec}: missing type= (one of ${TYPES.join(", ")})`);
  const type = choice(FLAG, spec, "type", typeValue, TYPES, "local");
  const kv = csvSpec(FLAG, spec, KEYS[type]);
  const compressionValue = kv.get("compression");
  if (compressionValue === "uncompressed" || compressionValue === "estargz") throw new StrataError("USAGE", `${FLAG} ${spec}: compression=${compressionValue} is not supported by Strata (allowed: gzip, zstd)`);
  const compression = choice(FLAG, spec, "compression", compressionValue, ["gzip", "zstd"], "gzip");
  const name = kv.has("name") ? imageReference(`${FLAG} name`)(required(FLAG, spec, kv, "name")) : undefined;
  switch (type) {
    case "local":
    case "tar":
      return { type, dest: required(FLAG, spec, kv, "dest") };
    case "oci":
    case "docker":
      if (type === "oci" && !kv.has("dest")) throw new StrataError("USAGE", `${FLAG} ${spec}: missing dest= (type=oci writes an archive)`);
      return { type, dest: kv.get("dest"), name, compression };
    case "image":
      return { type, name, push: choice(FLAG, spec, "push", kv.get("push"), ["true", "false"], "false") === "true", compression };
    case "registry":
      return { type: "image", name, push: true, compression };
    case "cacheonly":
      return { type };
  }
}

/** commander's parser for the repeatable `-o`. */
export function collectOutput(value: string, previous: OutputSpec[]): OutputSpec[] {
  return [...previous, parseOutput(value)];
}
