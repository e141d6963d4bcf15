/**
 * Image references as docker reads them (distribution/reference's
 * ParseNormalizedNamed): `busybox`, `library/busybox`, `docker.io/busybox`
 * and `index.docker.io/library/busybox` all name
 * `docker.io/library/busybox:latest`; `localhost:5000/app:1.0` keeps its host.
 * Pure, so the graph names each image one way whichever spelling the
 * Dockerfile or image.ts used (and cache keys cannot differ by spelling), and
 * the store (runtime/store/names.ts) files it under the same name.
 */

export interface ImageName {
  /** Registry host, e.g. docker.io or localhost:5000. */
  readonly domain: string;
  /** Repository path, e.g. library/busybox. */
  readonly path: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

const NAME_RE = /^(?:([a-zA-Z0-9.-]+(?::[0-9]+)?|\[[0-9a-fA-F:]+\](?::[0-9]+)?)\/)?([a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/;

/** The parsed, normalised name; undefined when `ref` is not a valid reference. */
export function parseImageName(ref: string): ImageName | undefined {
  const m = NAME_RE.exec(ref);
  if (!m) return undefined;
  let domain = m[1];
  let path = m[2] as string;
  // A lower-case first component without a dot, colon or "localhost" is part of the path; one with
  // an upper-case letter can only be a host (docker's rule, distribution/reference splitDockerDomain).
  if (domain !== undefined && !domain.includes(".") && !domain.includes(":") && domain !== "localhost" && !domain.startsWith("[") && domain === domain.toLowerCase()) {
    path = `${domain}/${path}`;
    domain = undefined;
  }
  // index.docker.io is docker.io's legacy name; an official image on it lives under library/.
  if (domain === undefined || domain === "index.docker.io") domain = "docker.io";
  if (domain === "docker.io" && !path.includes("/")) path = `library/${path}`;
  return { domain, path, tag: m[3] ?? (m[4] ? undefined : "latest"), digest: m[4] };
}

/** docker.io/library/busybox:latest */
export function fullName(n: ImageName): string {
  return `${n.domain}/${n.path}${n.tag ? `:${n.tag}` : ""}${n.digest ? `@${n.digest}` : ""}`;
}

/** busybox:latest, localhost:5000/app:1.0 */
export function familiarName(n: ImageName): string {
  return `${familiarRepo(n)}${n.tag ? `:${n.tag}` : ""}${n.digest ? `@${n.digest}` : ""}`;
}

export function familiarRepo(n: ImageName): string {
  if (n.domain !== "docker.io") return `${n.domain}/${n.path}`;
  return n.path.startsWith("library/") ? n.path.slice("library/".length) : n.path;
}

/**
 * The one spelling the graph uses for an image: its familiar name with the
 * tag made explicit (`docker.io/debian:9.11` → `debian:9.11`, `busybox` →
 * `busybox:latest`). A reference that does not parse is kept as written, so
 * the resolver reports it at the instruction that names it.
 */
export function canonicalImageRef(ref: string): string {
  const n = parseImageName(ref);
  return n === undefined ? ref : familiarName(n);
}
