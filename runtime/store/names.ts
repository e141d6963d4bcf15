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
  if (n === undefined) throw new InvalidReferenceError(`invalid reference format: "${ref}" (repository names must be lowercase, e.g. busybox:latest or localhost:5000/app:1.0)`);
  // docker counts the normalised name (distribution/reference ParseNormalizedNamed).
  if (`${n.domain}/${n.path}`.length > NAME_MAX) throw new InvalidReferenceError(`invalid reference format: "${ref}": a repository name is at most ${NAME_MAX} characters`);
  return n;
}

/** The canonical string a user's reference is stored under. */
export function normalizeRef(ref: string): string {
  return fullName(parseName(ref));
}
