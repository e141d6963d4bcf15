/**
 * Whether this process runs inside a user namespace (rootless: strata re-executed itself into
 * one, runtime/rootless/, or it runs as root in a rootless podman container or a pod). There,
 * root is uid 0 only inside: overlayfs must be mounted with `userxattr` and keeps its own
 * attributes under `user.overlay.*` instead of `trusted.overlay.*` (which only the host's root
 * may set), device nodes other than whiteouts cannot be made, and runc manages no cgroups.
 * The initial namespace maps every id to itself: "0 0 4294967295".
 */
import { readFileSync } from "node:fs";

let cached: boolean | undefined;

export function inUserNamespace(): boolean {
  if (cached === undefined) {
    let map = "";
    try {
      map = readFileSync("/proc/self/uid_map", "utf8");
    } catch {
      // No /proc: not a place strata builds in; the initial namespace is the safer reading.
    }
    cached = map !== "" && !/^\s*0\s+0\s+4294967295\s*$/.test(map);
  }
  return cached;
}

/** The xattr namespace overlayfs keeps its opaque, redirect and metacopy marks in, here. */
export function overlayXattrPrefix(): "user.overlay." | "trusted.overlay." {
  return inUserNamespace() ? "user.overlay." : "trusted.overlay.";
}

/** The mount options the overlay mounts add here (`userxattr` in a user namespace). */
export function overlayNamespaceOptions(): readonly string[] {
  return inUserNamespace() ? ["userxattr"] : [];
}
