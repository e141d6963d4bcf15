/**
 * The name an image.ts imports the stdlib by: the package's own name, so the
 * user's editor and `tsc` resolve it from node_modules (package.json `exports`
 * → dist/stdlib/) while strata's type check and evaluation map it to the
 * stdlib built into this strata. The old name gets a hint, not an alias.
 */
export const STDLIB_IMPORT = "strata-build";

/** The name image.ts files used before the package was named `strata-build`. */
export const OLD_STDLIB_IMPORT = "strata";

/** What a diagnostic about the old name (or a subpath) tells the user to do. */
export const IMPORT_HINT = `the import name is "${STDLIB_IMPORT}": import { from, sh } from "${STDLIB_IMPORT}"`;
