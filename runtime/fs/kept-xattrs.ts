/**
 * Which extended attributes Strata carries from one file to another (a layer tar into the
 * rootfs, a stage's or image's file into a COPY): `security.capability` (ping's cap_net_raw)
 * and `user.*`, never `trusted.*` (overlayfs' own) or `user.overlay.*` (overlayfs' in a user
 * namespace). BuildKit's copy (fsutil) keeps a file's xattrs the same way.
 */
import { getAttributeSync, listAttributesSync, setAttributeSync } from "./xattr.ts";

export function keptXattr(name: string): boolean {
  return name === "security.capability" || (name.startsWith("user.") && !name.startsWith("user.overlay."));
}

/** Copies the kept xattrs of `src` onto `dst` (neither followed if a symlink). Call it after any chown, which clears security.capability. */
export function copyKeptXattrs(src: string, dst: string): void {
  for (const name of listAttributesSync(src)) {
    if (!keptXattr(name)) continue;
    const value = getAttributeSync(src, name);
    if (value !== null) setAttributeSync(dst, name, value);
  }
}
