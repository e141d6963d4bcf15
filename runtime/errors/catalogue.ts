/**
 * The catalogue of the runtime's error codes: each with the area it belongs
 * to, the exit code of the strata command it ends, and what it means. Codes
 * are stable: a code never changes meaning once released; new ones are added.
 * `strata help errors` prints this table with the compiler's diagnostic codes
 * (listing.ts), so every code the CLI can print is documented in one place.
 *
 * Exit codes (README.md, `strata help exit-codes`, cli/exit-codes.ts): 0 success; 1 the work
 * failed; 2 usage or environment (the preflight); 3 integrity (bytes that do not hash to what
 * names them, an ambiguous document); 4 a limit was exceeded; 64 a version or info template
 * that does not parse (docker's code); 125 a
 * container command's own error (docker's code: bad flags, no such image, the
 * container could not be started); 126 its command cannot be executed; 127
 * its command was not found; 130 / 143 interrupted by SIGINT / SIGTERM;
 * `strata run` otherwise passes the container's exit code through.
 */

export type Area = "cli" | "build" | "image" | "registry" | "store" | "layer" | "container" | "dockerfile" | "image.ts" | "lint";

export interface ErrorEntry {
  readonly area: Area;
  /** The exit code of the command this error ends. */
  readonly exit: number;
  readonly summary: string;
}

const e = (area: Area, exit: number, summary: string): ErrorEntry => ({ area, exit, summary });

export const RUNTIME_ERRORS = {
  // The command line and the host.
  USAGE: e("cli", 2, "a flag or argument is missing, unknown or malformed (container commands exit 125, as docker's do)"),
  TEMPLATE_INVALID: e("cli", 1, "a --format Go template does not parse (`template parsing error: …`) or fails on a value (`executing … at <.Foo>: …`), in Go's words and with docker's exit code 1"),
  INFO_TEMPLATE_INVALID: e("cli", 64, "a version or info --format template does not parse (`template parsing error: …`), with docker's exit code for those two commands, 64"),
  IO_ERROR: e("cli", 1, "a file or system operation failed; the message names the path and the system's reason"),
  INTERNAL: e("cli", 1, "a bug in Strata: the message says what went wrong; STRATA_DEBUG=1 prints the stack (please report it)"),
  INTERRUPTED: e("cli", 130, "interrupted by SIGINT (exit 130) or SIGTERM (exit 143); every step cleaned up after itself"),
  FILE_UNREADABLE: e("cli", 1, "a Dockerfile, image.ts or other named input file cannot be read"),
  FILE_EXISTS: e("cli", 1, "strata init would overwrite a file that exists (it names it); --force overwrites"),
  MOUNT_FAILED: e("cli", 1, "a mount (overlay, bind, tmpfs) was refused by the kernel; the message gives mount's reason"),
  PATH_SYMLINK_LOOP: e("cli", 1, "resolving a path inside a root filesystem followed more than 255 symbolic links"),
  LIMIT_EXCEEDED: e("cli", 4, "a layer, archive, document or git context went over a limit (size, decompression ratio, entries, JSON size; a git context's bytes, files or time without progress); the message names the limit and the variable that raises it; nothing was kept"),
  ENV_NODE: e("cli", 2, "the Node.js running strata is older than 22 (bin/strata.js checks before anything loads): install Node.js 22 or later, or use the standalone executable"),
  ENV_RUNC_MISSING: e("cli", 2, "the preflight found no runc to run (install runc 1.1.12 or later, or point STRATA_RUNC at one)"),
  ENV_RUNC_TOO_OLD: e("cli", 2, "the preflight found a runc older than 1.1.12, open to CVE-2024-21626 (leaked fds, WORKDIR /proc/self/fd/N): upgrade it"),
  ENV_OVERLAY: e("cli", 2, "the preflight found that overlayfs cannot use the store's filesystem (a store on overlayfs, no xattrs): put --root elsewhere"),
  ENV_SANDBOX: e("cli", 2, "the container Strata runs in withholds what RUN steps and containers need: CAP_SYS_ADMIN, or mount and unshare under its seccomp, AppArmor or SELinux profile; the message names the option that gives it (docs/rootless.md)"),
  ENV_ROOTLESS: e("cli", 2, "rootless mode cannot make its user namespace: user namespaces disabled, newuidmap/newgidmap missing (apt-get install uidmap), or no subordinate id range of 65536 for the user in /etc/subuid and /etc/subgid; the message names the fix"),
  ENV_SNAPSHOTTER: e("cli", 2, "STRATA_SNAPSHOTTER names no snapshotter (overlayfs, fuse-overlayfs, native) or one this host cannot use (no overlayfs on the store's filesystem, no fuse-overlayfs binary or /dev/fuse): name another, or unset it"),
  ENV_LAYER_DEPTH: e("cli", 2, "a container would stack more layers than one overlay mount can take (500, or one page of options): squash the image"),

  // Building (runtime/engine/).
  RUN_FAILED: e("build", 1, "a RUN command exited non-zero; the error names its line and shows its last output"),
  RUN_MOUNT: e("build", 1, "a RUN --mount cannot be set up: a missing source, secret or ssh agent, a bad target"),
  RUN_WORKDIR: e("build", 1, "a RUN's working directory cannot be made in the image"),
  RUN_SETUP: e("build", 1, "a RUN's container could not be set up (scratch space, runc bundle)"),
  USER_NOT_FOUND: e("build", 1, "a USER (or --chown, or exec -u) names a user or group the image's /etc/passwd or /etc/group lacks"),
  WORKDIR_FAILED: e("build", 1, "WORKDIR cannot make its directory: a part of the path exists and is not a directory"),
  COPY_FAILED: e("build", 1, "a COPY or ADD could not place its files (a destination that is not a directory, an unreadable source)"),
  COPY_SOURCE: e("build", 1, "what a COPY or ADD reads cannot be read while planning (a source missing from the context)"),
  COPY_SOURCE_NOT_FOUND: e("build", 1, "a COPY or ADD source is not in the build context (or .dockerignore excludes it), the stage or the image"),
  COPY_DEST_NOT_DIR: e("build", 1, "a COPY or ADD of several sources needs a destination that ends with /"),
  COPY_GIT: e("build", 1, "a git source: COPY never takes one, and ADD of git sources is not supported here"),
  COPY_URL: e("build", 1, "a URL source where one is not allowed (COPY, or ADD --from)"),
  COPY_URL_FETCH: e("build", 1, "an ADD URL could not be fetched, or its --checksum does not match"),
  COPY_CHMOD: e("build", 1, "a --chmod value is not an octal mode up to 07777 or a symbolic mode"),
  COPY_ARCHIVE: e("build", 1, "an ADD archive is refused (a path escaping the destination, a corrupt archive)"),
  CONTEXT_SOURCE: e("build", 1, "the build context cannot be read"),
  BAD_PATTERN: e("build", 1, "a .dockerignore, --exclude or wildcard pattern is malformed"),
  PLAN_TOO_MANY_LAYERS: e("build", 1, "a stage, or a container of the built image, would stack more layers than one overlay mount takes: merge RUNs or squash the base"),
  PLAN_PLATFORM: e("build", 1, "a stage's RUN is for a platform this machine cannot run: no emulator for it is registered in binfmt_misc (install qemu-user-static)"),
  PLAN_ENTITLEMENT: e("build", 1, "a RUN needs host networking or --security=insecure and the build was not granted it: pass --allow network.host or --allow security.insecure"),
  PLAN_OVER_DOCKER_LAYERS: e("build", 0, "a warning, the build goes on: the image will have more than 125 layers, which docker (and other engines) refuse"),
  PLAN_COPY_THEN_DELETE: e("build", 0, "a warning, the build goes on: a file a step adds (COPY, ADD, RUN) is deleted by a later layer, so its bytes stay in the image (from the layers, as strata layers reads them)"),

  // Images in the store and as archives (runtime/image/, runtime/store/).
  FILTER_INVALID: e("image", 1, "a -f/--filter name the command does not take, or a value it cannot use (docker's \"invalid filter 'NAME'\")"),
  IMAGE_NOT_FOUND: e("image", 1, "no image of that name, ID or digest in the store (container commands exit 125)"),
  LAYERS_GATE: e("image", 1, "strata layers: the image crosses a --fail-wasted-bytes, --fail-efficiency or --fail-wasted-percent limit; the report lists each rule's PASS or FAIL and the wasted files (path, bytes, the layer that added and the one that removed them)"),
  NO_SUCH_OBJECT: e("image", 1, "strata inspect found no container and no image of that name or ID (docker's `No such object: NAME`)"),
  IMAGE_IN_USE: e("image", 1, "rmi refused: a container uses the image, or it is named more than once (use -f)"),
  INVALID_REFERENCE: e("image", 1, "an image reference is malformed (repository names are lowercase: busybox:latest, localhost:5000/app:1.0)"),
  INVALID_DIGEST: e("image", 1, "a digest is not sha256:<64 hex digits>"),
  LOAD_REFUSED: e("image", 1, "strata load refused an archive: a missing blob or manifest, a path that is not a plain name inside the archive; nothing was stored"),
  LOAD_DIGEST_MISMATCH: e("image", 3, "strata load refused an archive: a blob's bytes do not hash to the name or diffID that names them; nothing was stored"),
  IMPORT_CHANGE: e("image", 1, "an import --change is not a config instruction Strata can apply"),
  IMPORT_FETCH: e("image", 1, "strata import could not download the tarball URL"),
  CACHE_NOT_A_CACHE: e("image", 1, "a --cache-from reference names something that is not a Strata build cache"),
  DOCUMENT_AMBIGUOUS: e("image", 3, "a manifest or index is both (it has both manifests and layers, or a mediaType of the other kind); refused"),
  CACHE_VERSION: e("image", 1, "a --cache-from cache has a version this Strata does not read"),

  // Registries (runtime/registry/).
  REGISTRY_UNREACHABLE: e("registry", 1, "the registry could not be reached (DNS, connection refused, timeout) after retries"),
  CREDENTIALS_MISSING: e("registry", 1, "strata login has no username or password: give -u and --password-stdin (or -p), or run it on a terminal to be asked, as docker login does"),
  CREDENTIALS_CONFIG: e("registry", 1, "$DOCKER_CONFIG/config.json (default ~/.docker/config.json) is not a JSON object; not overwritten"),
  CREDENTIAL_HELPER: e("registry", 1, "a docker-credential-<name> helper (credsStore, credHelpers) is missing or failed"),
  REGISTRY_UNAUTHORIZED: e("registry", 1, "the registry wants credentials, or refused them: strata login HOST"),
  REGISTRY_DENIED: e("registry", 1, "the registry refused the request for these credentials (HTTP 403)"),
  REGISTRY_NOT_FOUND: e("registry", 1, "the registry has no such repository or blob (HTTP 404)"),
  REGISTRY_MANIFEST_UNKNOWN: e("registry", 1, "the registry has no such tag or digest"),
  REGISTRY_MANIFEST_TOO_BIG: e("registry", 4, "a manifest or index is larger than the 4 MiB Strata reads (reading stops at 4 MiB + 1 byte); nothing stored"),
  REGISTRY_DIGEST_MISMATCH: e("registry", 3, "bytes the registry sent do not hash to the digest that names them; refused"),
  REGISTRY_BAD_IMAGE: e("registry", 1, "an image in the registry is inconsistent (layers and diffIDs disagree, an oversized config); refused"),
  PUSH_DOCKER_ZSTD: e("registry", 2, "push --format docker with zstd layers: Docker's v2 schema 2 manifest has no zstd layer type (skopeo and docker refuse it); push gzip or use --format oci; nothing was uploaded"),
  REGISTRY_UNSUPPORTED: e("registry", 1, "a manifest type Strata does not read (Docker schema 1)"),
  REGISTRY_NO_PLATFORM: e("registry", 1, "an image index has no image for the platform asked for (--platform)"),
  REGISTRY_INSECURE_REDIRECT: e("registry", 1, "an HTTPS registry redirected to plain HTTP; refused (--insecure-registry allows a host)"),
  REGISTRY_INSECURE_REALM: e("registry", 1, "an HTTPS registry named a plain-HTTP token service; refused"),
  REGISTRY_ERROR: e("registry", 1, "the registry answered with an error the message quotes"),
  REGISTRY_CONTENT_TYPE: e("registry", 3, "a manifest's mediaType disagrees with the Content-Type the registry served it with; refused"),

  // The store (runtime/store/, runtime/snapshot/).
  STORE_DIGEST_MISMATCH: e("store", 3, "bytes on their way into the store (a pull, a load) do not match the digest or size that names them; nothing was committed"),
  STORE_BLOB_NOT_FOUND: e("store", 1, "a blob the store should hold is missing (strata system verify reports what else is)"),
  STORE_WRITER_CLOSED: e("store", 1, "a write to a blob that was already committed or aborted (a bug in the caller)"),
  STORE_CORRUPT: e("store", 3, "a stored blob does not hash to its digest, or is shorter than what names it says; found as it was read (save, push, unpack); strata system verify reports it"),
  STORE_LOCK_TIMEOUT: e("store", 1, "the store's lock was held by another live process for longer than a minute"),
  SNAPSHOT_DIFFID_MISMATCH: e("store", 3, "an unpacked or committed layer does not hash to the diffID it should have; nothing kept"),
  SNAPSHOT_NOT_FOUND: e("store", 1, "a layer is not unpacked in the store (no snapshot of it)"),
  SNAPSHOT_MOUNTED: e("store", 1, "a snapshot is still mounted where it must not be (a bug in the caller)"),
  SNAPSHOT_ENDED: e("store", 1, "a snapshot was used after it was committed or discarded (a bug in the caller)"),

  // Layer tars (runtime/layer/): what an image, archive or registry sends is refused rather than written outside the root.
  LAYER_BAD_TAR: e("layer", 1, "a layer tar is truncated or malformed"),
  LAYER_PATH_ESCAPE: e("layer", 1, "a layer entry's path escapes the root (.., or through a symlink); refused"),
  LAYER_PATH_ABSOLUTE: e("layer", 1, "a layer entry's path is absolute; refused"),
  LAYER_LINK_ESCAPE: e("layer", 1, "a layer hardlink points outside the layer; refused"),
  LAYER_LINK_TARGET_MISSING: e("layer", 1, "a layer hardlink points at a path the layer does not have"),
  LAYER_BAD_WHITEOUT: e("layer", 1, "a layer whiteout is malformed or goes through a whiteout"),
  LAYER_UNSUPPORTED_ENTRY: e("layer", 1, "a layer entry Strata does not write (a NUL in a name, a hardlink to a directory)"),
  LAYER_DIR_CONFLICT: e("layer", 1, "an archive entry would replace a directory with a non-directory or the reverse; cp refuses that, as docker's does"),
  LAYER_NOT_DIRECTORY: e("layer", 1, "an ADD archive entry's parent is an existing file, not a directory (tar -x refuses it too)"),
  LAYER_UNSUPPORTED_OVERLAY: e("layer", 1, "an overlay upper directory holds something a layer cannot express"),
  LAYER_VERIFY_FAILED: e("layer", 1, "a layer file changed while it was written, or its bytes are not what was written"),
  RUNC_FAILED: e("layer", 1, "runc itself failed (not the command it ran); the message quotes runc"),

  // Containers (runtime/container/).
  NO_SUCH_CONTAINER: e("container", 1, "no container of that name or ID"),
  CONTAINER_AMBIGUOUS: e("container", 1, "an ID prefix matches several containers: give more of it or the name"),
  CONTAINER_USAGE: e("container", 125, "a container command's arguments are invalid (-e, -v, -w, -c, --time, --restart, --health-*, --stop-signal, logs --since, no command)"),
  CONTAINER_STATE: e("container", 1, "the container is not in a state that allows this (not running, paused or not paused, restarting, running for rm)"),
  NAME_IN_USE: e("container", 125, "the container name is invalid or already in use"),
  START_FAILED: e("container", 125, "the container could not be started (runc refused its setup)"),
  START_NOT_EXECUTABLE: e("container", 126, "the container's command exists but cannot be executed"),
  START_NOT_FOUND: e("container", 127, "the container's command was not found in the image"),
  CP_NOT_FOUND: e("container", 1, "cp: the path is not in the container (docker's \"Could not find the file PATH in container NAME\")"),
  TOP_PS: e("container", 1, "top: ps failed or printed no PID column (its options must keep one)"),
  CP_DESTINATION: e("container", 1, "cp: the destination cannot take the source (a directory to a file, a missing destination directory, a read-only mount or rootfs, stdin's tar to a non-directory)"),

  // Container networks (runtime/container/network/).
  NET_INVALID: e("container", 125, "a --network, -p, --expose, --hostname, --add-host or --dns value is malformed, or conflicts with the network mode (docker's words: `invalid containerPort: x`, `conflicting options: port publishing and the container type network mode`)"),
  NET_NOT_FOUND: e("container", 125, "--network names a network Strata does not have (docker's `network X not found`): private (the default), host, none or container:NAME"),
  NET_PORT_IN_USE: e("container", 125, "a host port -p asks for is in use (docker's `bind: address already in use`, or `port is already allocated` twice in one container); the container was not started"),
  NET_PORT_BIND: e("container", 125, "a host port -p asks for cannot be bound: an address the host does not have, or a port below 1024 without the privilege; the container was not started"),
  NET_JOIN: e("container", 125, "--network container:NAME: no such container, or it is not running (docker's `cannot join network of a non running container`)"),
  NET_SETUP: e("container", 125, "a private network could not be set up: pasta (Debian package passt) missing or failing, no default route on the host, or the namespace could not be made"),
  NET_NO_PUBLIC_PORT: e("container", 1, "strata port CONTAINER PORT: that port is not published (docker's `No public port '80/tcp' published for NAME`)"),
  CONTAINER_RESOURCES: e("container", 125, "run's -m/--memory-swap/--cpus is out of docker's range (6MB minimum, swap not below memory, at most the host's CPUs), or the host cannot apply --cpus (a limit it cannot apply otherwise is dropped with docker's WARNING)"),
  CONTAINER_INIT_MISSING: e("container", 125, "run --init found no docker-init or tini-static on the PATH: install Debian's tini package"),
  SECCOMP_PROFILE: e("container", 125, "a seccomp profile (--security-opt seccomp=FILE, or /etc/containers/seccomp.json) cannot be read or is not docker's profile format; the message names the file"),
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof RUNTIME_ERRORS;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(RUNTIME_ERRORS, code);
}

/** The exit code a runtime error ends its command with. */
export function exitCodeOf(code: ErrorCode): number {
  return RUNTIME_ERRORS[code].exit;
}
