import { StrataError } from "../../errors/error.ts";
import type { CacheExport, CacheImport } from "../../registry/cache-spec.ts";
import { imageReference } from "../options.ts";
import { choice, csvSpec, required, specType } from "./csv-spec.ts";

/**
 * `--cache-from` / `--cache-to` values in buildx's syntax, checked as the command line is read:
 * `type=registry,ref=REF` (a bare REF, or Strata's older `registry:REF`, means the same),
 * `type=local,src=DIR` / `type=local,dest=DIR`, with mode=min|max, compression=gzip|zstd and
 * ignore-error=true|false on export. Every other key or value is a USAGE error before any work.
 */
function typeOf(spec: string): { type: string; kvSpec: string } {
  if (spec.startsWith("registry:")) return { type: "registry", kvSpec: `type=registry,ref=${spec.slice("registry:".length)}` };
  if (!spec.includes("=")) return { type: "registry", kvSpec: `type=registry,ref=${spec}` };
  return { type: specType(spec) ?? "registry", kvSpec: spec };
}

function unsupportedType(flag: string, spec: string, type: string, supported: readonly string[]): never {
  const known = ["registry", "local", "inline", "gha", "s3", "azblob"];
  const why = known.includes(type) ? `type=${type} is not supported by Strata` : `unknown cache type "${type}"`;
  throw new StrataError("USAGE", `${flag} ${spec}: ${why} (supported: ${supported.join(", ")})`);
}

function ref(flag: string, spec: string, kv: ReadonlyMap<string, string>): string {
  return imageReference(`${flag} ${spec}: ref`)(required(flag, spec, kv, "ref"));
}

export function parseCacheFrom(spec: string): CacheImport {
  const flag = "--cache-from";
  const { type, kvSpec } = typeOf(spec);
  if (type === "registry") return { type, ref: ref(flag, spec, csvSpec(flag, kvSpec, ["type", "ref"])) };
  if (type === "local") return { type, src: required(flag, spec, csvSpec(flag, kvSpec, ["type", "src"]), "src") };
  return unsupportedType(flag, spec, type, ["registry", "local"]);
}

export function parseCacheTo(spec: string): CacheExport {
  const flag = "--cache-to";
  const { type, kvSpec } = typeOf(spec);
  if (type === "inline") {
    csvSpec(flag, kvSpec, ["type"]);
    return { type, target: "", mode: "min", compression: "gzip", ignoreError: false };
  }
  if (type !== "registry" && type !== "local") return unsupportedType(flag, spec, type, ["registry", "local", "inline"]);
  const common = ["type", "mode", "compression", "ignore-error"];
  const kv = csvSpec(flag, kvSpec, [...common, type === "registry" ? "ref" : "dest"]);
  const compression = kv.get("compression");
  if (compression === "uncompressed" || compression === "estargz") throw new StrataError("USAGE", `${flag} ${spec}: compression=${compression} is not supported by Strata (allowed: gzip, zstd)`);
  return {
    type,
    target: type === "registry" ? ref(flag, spec, kv) : required(flag, spec, kv, "dest"),
    // buildx's default for a cache export is mode=min.
    mode: choice(flag, spec, "mode", kv.get("mode"), ["min", "max"], "min"),
    compression: choice(flag, spec, "compression", compression, ["gzip", "zstd"], "gzip"),
    ignoreError: choice(flag, spec, "ignore-error", kv.get("ignore-error"), ["true", "false"], "false") === "true",
  };
}

/** commander's parser for the repeatable --cache-from. */
export function collectCacheFrom(value: string, previous: CacheImport[]): CacheImport[] {
  return [...previous, parseCacheFrom(value)];
}
