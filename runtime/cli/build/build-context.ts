import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { NamedContextSpec } from "../../engine/compile/named-contexts.ts";
import { StrataError } from "../../errors/error.ts";
import { imageReference } from "../options.ts";

/**
 * `--build-context NAME=VALUE` as buildx reads it (docs.docker.com/reference/cli/docker/buildx/build/#build-context):
 * `docker-image://REF` an image, a path a local directory (checked to be one before any work).
 * buildx's other sources (`oci-layout://`, URLs, git) are USAGE errors, said as unsupported.
 */
export function collectBuildContext(value: string, previous: Record<string, NamedContextSpec>): Record<string, NamedContextSpec> {
  const flag = "--build-context";
  const eq = value.indexOf("=");
  if (eq <= 0 || eq === value.length - 1) throw new StrataError("USAGE", `${flag} ${value}: expected NAME=VALUE (a directory or docker-image://REF)`);
  const name = value.slice(0, eq).toLowerCase();
  const v = value.slice(eq + 1);
  if (name in previous) throw new StrataError("USAGE", `${flag} ${value}: the context ${name} is given twice`);
  let spec: NamedContextSpec;
  if (v.startsWith("docker-image://")) spec = { type: "image", ref: imageReference(`${flag} ${value}`)(v.slice("docker-image://".length)) };
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || v.startsWith("git@")) throw new StrataError("USAGE", `${flag} ${value}: ${v.slice(0, v.indexOf(":") + 3) || "git@"} contexts are not supported by Strata (a directory or docker-image://REF)`);
  else {
    const dir = resolve(v);
    const st = statSync(dir, { throwIfNoEntry: false });
    if (st === undefined || !st.isDirectory()) throw new StrataError("USAGE", `${flag} ${value}: ${v} is not a directory`);
    spec = { type: "local", dir };
  }
  return { ...previous, [name]: spec };
}
