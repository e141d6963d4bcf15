/**
 * Image references as docker reads them (compiler/ir/image-ref.ts, the one
 * parser the graph and the store share): `busybox`, `docker.io/busybox` and
 * `index.docker.io/library/busybox` are `docker.io/library/busybox:latest`;
 * `localhost:5000/app:1.0` keeps its host. Strata shows the familiar form
 * (`busybox:latest`) and stores both. An invalid reference is an error here.
 */
import { fullName, type ImageName, parseImageName } from "../../compiler/ir/image-ref.ts";
import { StrataError } from "../errors/error.ts";

export { familiarName, familiarRepo, fullName, type ImageName } from "../../compiler/ir/image-ref.ts";

/** docker's limit on a name (host and path, without tag or digest). */
const NAME_MAX = 255;

export class InvalidReferenceError extends StrataError {
  constructor(message: string) {
    super("INVALID_REFERENCE", message);
  }
}

export function parseName(ref: string): ImageName {
  const n = parseImageName(ref);
  if (n === undefined) throw new InvalidReferenceError(`invalid reference format: "${ref}"${whyInvalid(ref)}`);
  // docker counts the normalised name (distribution/reference ParseNormalizedNamed).
  if (`${n.domain}/${n.path}`.length > NAME_MAX) throw new InvalidReferenceError(`invalid reference format: "${ref}": a repository name is at most ${NAME_MAX} characters`);
  return n;
}

/**
 * What is wrong, as distribution/reference's Parse tells its errors apart:
 * "repository name must be lowercase" only when lowercasing would make it
 * valid; an empty tag (`x:`) or digest (`x@`) said as such.
 */
function whyInvalid(ref: string): string {
  if (ref === "") return ": repository name must have at least one component";
  if (ref.endsWith(":")) return ": the tag after ':' is empty (e.g. x:1.0)";
  if (ref.endsWith("@")) return ": the digest after '@' is empty";
  if (parseImageName(ref.toLowerCase()) !== undefined) return ": repository name must be lowercase";
  return " (e.g. busybox:latest or localhost:5000/app:1.0)";
}

/** The canonical string a user's reference is stored under. */
export function normalizeRef(ref: string): string {
  return fullName(parseName(ref));
}

/** The repository digest name of a name's repository: `docker.io/library/busybox@sha256:…` (docker's RepoDigests entry). */
export function repoDigestName(n: ImageName, digest: string): string {
  return fullName({ ...n, tag: undefined, digest });
}
