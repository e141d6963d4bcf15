import type { Command } from "commander";
import { defaultRoot } from "../store/layout.ts";
import { Store } from "../store/store.ts";

/** The store the global `--root` option (or STRATA_ROOT) names. */
export function storeFrom(cmd: Command): Store {
  const root = (cmd.optsWithGlobals() as { root?: string }).root ?? defaultRoot();
  return new Store(root);
}

/** The store, opened: created if new, and leftovers of dead strata processes reclaimed. */
export async function openStore(cmd: Command): Promise<Store> {
  const store = storeFrom(cmd);
  await store.init();
  return store;
}
