/**
 * The user's cache for Strata, $XDG_CACHE_HOME/strata or else ~/.cache/strata: where the
 * standalone executable keeps what it writes for itself (its embedded files, V8's compile
 * cache), never beside the executable. Imports only node:path and node:os (it runs at start-up).
 */
import { homedir } from "node:os";
import { join } from "node:path";

export function userCache(): string {
  const base = process.env.XDG_CACHE_HOME || join(process.env.HOME || homedir(), ".cache");
  return join(base, "strata");
}
