import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { NamedContextSpec } from "../../engine/compile/named-contexts.ts";
import { isGitContext } from "../../engine/input/git-context.ts";
import { isUrlContext } from "../../engine/input/url-context.ts";
import { StrataError } from "../../errors/error.ts";
import { imageReference } from "../options.ts";

/**
 * `--build-context NAME=VALUE` as buildx reads it (docs.docker.com/reference/cli/docker/buildx/build/#build-context):
 * `docker-image://REF` an image, `oci-layout://DIR[:TAG][@sha256:DIGEST]` the image of an OCI
 * layout folder, a git URL (`git://`, `git@`, `github.com/`, `https://….git`, with `#ref:subdir`;
 * docker's rule, engine/input/git-context.ts) cloned, any other `http(s)://` URL downloaded (a
 * tarball extracted), a path a local directory (folders checked to be there before any work).
 * Any other `scheme://` is a USAGE error naming what is supported.
 */
export function collectBuildContext(value: string, previous: Record<string, NamedContextSpec>): Record<string, NamedContextSpec> {
  const flag = "--build-context";
  const eq = value.indexOf("=");
  if (eq <= 0 || eq === value.length - 1) throw new StrataError("USAGE", `${flag} ${value}: expected NAME=VALUE (a directory, a git or http(s) URL, docker-image://REF or oci-layout://DIR)`);
  const name = value.slice(0, eq).toLowerCase();
  const v = value.slice(eq + 1);
  if (name in previous) throw new StrataError("USAGE", `${flag} ${value}: the context ${name} is given twice`);
  let spec: NamedContextSpec;
  if (v.startsWith("docker-image://")) spec = { type: "image", ref: imageReference(`${flag} ${value}`)(v.slice("docker-image://".length)) };
  else if (v.startsWith("oci-layout://")) spec = layoutSpec(flag, value, v.slice("oci-layout://".length));
  else if (isGitContext(v)) spec = { type: "git", url: v };
  else if (isUrlContext(v)) spec = { type: "url", url: v };
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) throw new StrataError("USAGE", `${flag} ${value}: ${v.slice(0, v.indexOf(":") + 3)} contexts are not supported by Strata (a directory, a git or http(s) URL, docker-image://REF or oci-layout://DIR)`);
  else {
    spec = { type: "local", dir: directory(flag, value, v) };
  }
  return { ...previous, [name]: spec };
}

function directory(flag: string, value: string, path: string): string {
  const dir = resolve(path);
  const st = statSync(dir, { throwIfNoEntry: false });
  if (st === undefined || !st.isDirectory()) throw new StrataError("USAGE", `${flag} ${value}: ${path} is not a directory`);
  return dir;
}

/** buildx's `oci-layout://DIR[:TAG][@sha256:DIGEST]` (a TAG is what follows the last colon after the last slash). */
function layoutSpec(flag: string, value: string, rest: string): NamedContextSpec {
  const at = rest.lastIndexOf("@");
  const digest = at >= 0 ? rest.slice(at + 1) : undefined;
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest)) throw new StrataError("USAGE", `${flag} ${value}: invalid digest "${digest}" (sha256:<64 hex digits>)`);
  const path = at >= 0 ? rest.slice(0, at) : rest;
  const colon = path.lastIndexOf(":");
  const tag = colon > path.lastIndexOf("/") ? path.slice(colon + 1) : undefined;
  const dir = directory(flag, value, tag === undefined ? path : path.slice(0, colon));
  if (!statSync(`${dir}/index.json`, { throwIfNoEntry: false })?.isFile()) throw new StrataError("USAGE", `${flag} ${value}: ${dir} is not an OCI layout (no index.json)`);
  return { type: "oci-layout", dir, tag, digest };
}
