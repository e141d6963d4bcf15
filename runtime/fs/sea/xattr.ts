/**
 * fs/xattr.ts in the standalone executable (scripts/build-exe.mjs bundles this module in its
 * place): the same functions, from the @napi-rs/xattr addon the executable embeds, written to
 * the user's cache and loaded on the first call (a command that reads no layer never loads it).
 */
import type * as Xattr from "@napi-rs/xattr";
import { loadEmbeddedAddon } from "./embedded.ts";

type Binding = typeof Xattr;
let binding: Binding | undefined;
const native = (): Binding => {
  binding ??= loadEmbeddedAddon("xattr.node") as Binding;
  return binding;
};

export const getAttributeSync: Binding["getAttributeSync"] = (path, name) => native().getAttributeSync(path, name);
export const listAttributesSync: Binding["listAttributesSync"] = (path) => native().listAttributesSync(path);
export const removeAttributeSync: Binding["removeAttributeSync"] = (path, name) => native().removeAttributeSync(path, name);
export const setAttribute: Binding["setAttribute"] = (path, name, value) => native().setAttribute(path, name, value);
export const setAttributeSync: Binding["setAttributeSync"] = (path, name, value) => native().setAttributeSync(path, name, value);
