import { join, resolve } from "node:path";
import { StrataError } from "../errors/error.ts";

/**
 * Where things live under a store root (`--root`, `STRATA_ROOT`, default
 * /var/lib/strata). The root itself is an OCI image layout (oci-layout,
 * index.json, blobs/sha256/...) so skopeo, umoci and others read it as is;
 * Strata's own state sits beside it in folders those tools ignore.
 */
export class StoreLayout {
  readonly root: string;
  constructor(root: string) {
    // Absolute: overlay mount options and runc bundles are resolved from other working directories.
    this.root = resolve(root);
  }
  get ociLayout(): string {
    return join(this.root, "oci-layout");
  }
  get index(): string {
    return join(this.root, "index.json");
  }
  get blobs(): string {
    return join(this.root, "blobs", "sha256");
  }
  blob(digest: string): string {
    return join(this.blobs, hexOf(digest));
  }
  /** Scratch space on the same filesystem as blobs/, so renames are atomic. */
  get tmp(): string {
    return join(this.root, "tmp");
  }
  /** Unpacked layers, one overlay layer dir per diffID: snapshots/<hex>/fs. */
  get snapshots(): string {
    return join(this.root, "snapshots");
  }
  /** Cache records: cache/<key hex>.json → the layer a build step produced. */
  get cache(): string {
    return join(this.root, "cache");
  }
  /** Saved SHA-256 states of blob prefixes (hash-states.ts): hash-states/<hex>.<length>. */
  get hashStates(): string {
    return join(this.root, "hash-states");
  }
  /** Per-run scratch: overlay upper/work dirs and runc bundles. */
  get run(): string {
    return join(this.root, "run");
  }
  /** runc's own state (its --root). */
  get runc(): string {
    return join(this.root, "runc");
  }
  /** Leases of live processes on what they wrote or use (leases.ts): leases/<owner>-<rand>. */
  get leases(): string {
    return join(this.root, "leases");
  }
  /** Present while a collection (gc, prune) runs, naming its owner (leases.ts). */
  get gcMarker(): string {
    return join(this.root, "gc-running");
  }
  /** The preflight's record that overlay works on this store's filesystem (snapshot/overlay-probe.ts). */
  get overlayProbe(): string {
    return join(this.root, "overlay-ok");
  }
  /** The preflight's record that this runc binary passed its version check (runc/version-check.ts). */
  get runcProbe(): string {
    return join(this.root, "runc-ok");
  }
  get lockFile(): string {
    return join(this.root, "lock");
  }
}

export function hexOf(digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!m) throw new StrataError("INVALID_DIGEST", `not a sha256 digest: ${digest}`);
  return m[1] as string;
}

/** STRATA_ROOT, else root's /var/lib/strata, else (rootless) the user's $XDG_DATA_HOME/strata. */
export function defaultRoot(rootless = process.getuid?.() !== 0): string {
  if (process.env.STRATA_ROOT) return process.env.STRATA_ROOT;
  if (!rootless) return "/var/lib/strata";
  // A user's own (rootless/enter.ts passes it into the rootless namespace as STRATA_ROOT).
  const data = process.env.XDG_DATA_HOME;
  return join(data !== undefined && data !== "" ? data : join(process.env.HOME ?? "/tmp", ".local/share"), "strata");
}
