/**
 * The stdlib's TypeScript sources (stdlib/*.ts by file name), which the type check serves to
 * ts-morph in memory as the module `"strata-build"`. This is the unbundled implementation:
 * it reads them beside the sources (`STRATA_NO_BUNDLE=1`, vitest). The bundle
 * (scripts/bundle.mjs, its stdlib-sources plugin) replaces this module with one that holds
 * the texts, so an installed strata or a single executable reads no stdlib file.
 */
import { readdirSync, readFileSync } from "node:fs";

let sources: Readonly<Record<string, string>> | undefined;

export function stdlibSources(): Readonly<Record<string, string>> {
  if (sources === undefined) {
    const dir = new URL("../../stdlib/", import.meta.url);
    const out: Record<string, string> = {};
    for (const f of readdirSync(dir).sort()) if (f.endsWith(".ts")) out[f] = readFileSync(new URL(f, dir), "utf8");
    sources = out;
  }
  return sources;
}
