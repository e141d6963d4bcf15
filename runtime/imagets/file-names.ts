/** How diagnostics name an image.ts's other modules: relative to the entry, as the user named the entry. */
import { dirname, join, relative } from "node:path";

/** The display name of `path`, given the entry's absolute path and display name. */
export function moduleName(entry: string, entryName: string, path: string): string {
  return path === entry ? entryName : join(dirname(entryName), relative(dirname(entry), path));
}
