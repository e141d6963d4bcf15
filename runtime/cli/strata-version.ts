import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Set by the bundle (scripts/bundle.mjs): package.json's version, and a name for this build. Absent when run from the sources. */
declare const __STRATA_VERSION__: string | undefined;

/** This Strata's version: the bundle's, or package.json's when run from the sources. */
export function strataVersion(): string {
  if (typeof __STRATA_VERSION__ === "string") return __STRATA_VERSION__;
  try {
    return (JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}
