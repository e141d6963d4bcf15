/**
 * The ContentStore contract run against every implementation: today the
 * file store of a store root (runtime/store/content-store.ts), each case in
 * its own root under the system temp dir.
 */
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileContentStore } from "../../runtime/store/content-store.ts";
import { StoreLayout } from "../../runtime/store/layout.ts";
import { contentStoreContract } from "./content-store.contract.ts";

contentStoreContract("FileContentStore", async () => {
  const root = await mkdtemp(join(tmpdir(), "strata-contract-content-"));
  const layout = new StoreLayout(root);
  const store = new FileContentStore(layout);
  return {
    store,
    ingests: async () => (await readdir(layout.tmp).catch(() => [] as string[])).sort(),
    readOnly: async (digest) => ((await stat(store.path(digest))).mode & 0o222) === 0,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});
