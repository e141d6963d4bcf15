/**
 * Extended attributes (overlayfs whiteouts and opaque directories, file capabilities in layer
 * tars): the one module that names the native addon @napi-rs/xattr. The npm install loads the
 * package from node_modules; the standalone executable (scripts/build-exe.mjs) bundles
 * `sea/xattr.ts` in this module's place, which loads the same addon from the executable.
 */
export { getAttributeSync, listAttributesSync, removeAttributeSync, setAttribute, setAttributeSync } from "@napi-rs/xattr";
