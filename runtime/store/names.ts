/**
 * Image references as docker reads them: `busybox` is
 * `docker.io/library/busybox:latest`; `localhost:5000/app:1.0` keeps its host.
 * Strata shows the familiar form (`busybox:latest`) and stores both.
 */
import { StrataError } from "../errors/error.ts";

export interface ImageName {
  /** Registry host, e.g. docker.io or localhost:5000. */
  readonly domain: string;
  /** Repository path, e.g. library/busybox. */
  readonly path: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

const NAME_RE = /^(?:([a-zA-Z0-9.-]+(?::[0-9]+)?|\[[0-9a-fA-F:]+\](?::[0-9]+)?)\/)?([a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/;

/** docker's limit on a name (host and path, without tag or digest). */
const NAME_MAX = 255;

export class InvalidReferenceError extends StrataError {
  constructor(message: string) {
    super("INVALID_REFERENCE", message);
  }
}

export function parseName(ref: string): ImageName {
  const m = NAME_RE.exec(ref);
  if (!m) throw new InvalidReferenceError(`invalid reference format: "${ref}" (repository names must be lowercase, e.g. busybox:latest or localhost:5000/app:1.0)`);
  let domain = m[1];
  let path = m[2] as string;
  // A lower-case first component without a dot, colon or "localhost" is part of the path; one with
  // an upper-case letter can only be a host (docker's rule, distribution/reference splitDockerDomain).
  if (domain !== undefined && !domain.includes(".") && !domain.includes(":") && domain !== "localhost" && !domain.startsWith("[") && domain === domain.toLowerCase()) {
    path = `${domain}/${path}`;
    domain = undefined;
  }
  if (domain === undefined) {
    domain = "docker.io";
    if (!path.includes("/")) path = `library/${path}`;
  }
  if (domain === "index.docker.io") domain = "docker.io";
  if (`${m[1] === undefined ? "" : `${m[1]}/`}${m[2]}`.length > NAME_MAX) throw new InvalidReferenceError(`invalid reference format: "${ref}": a repository name is at most ${NAME_MAX} characters`);
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

/** The canonical string a user's reference is stored under. */
export function normalizeRef(ref: string): string {
  return fullName(parseName(ref));
}
