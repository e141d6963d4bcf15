import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256Hex } from "../../compiler/cache/canonical.ts";
import type { StoreLayout } from "./layout.ts";
import { atomicWrite } from "../fs/atomic-write.ts";

/**
 * Content hashes of build-context files, remembered between builds by
 * (path, size, mtime, ctime, inode, mode), so a warm build reads no file it
 * has read before (../shared/design/PERFORMANCE.md: buildah re-reads all 200 MB). One
 * file per context directory under hashes/; each save keeps only the entries
 * the last build used, so it never grows past the context.
 */
export class HashMemo {
  readonly #known = new Map<string, string>();
  readonly #used = new Map<string, string>();
  #file: string | undefined;
  #dirty = false;

  async load(layout: StoreLayout, contextRoot: string): Promise<void> {
    this.#file = join(layout.root, "hashes", `${sha256Hex(contextRoot).slice(0, 32)}.json`);
    try {
      const saved = JSON.parse(await readFile(this.#file, "utf8")) as Record<string, string>;
      for (const [k, v] of Object.entries(saved)) this.#known.set(k, v);
    } catch {
      // nothing remembered yet
    }
  }

  get(key: string): string | undefined {
    const v = this.#known.get(key);
    if (v !== undefined) this.#used.set(key, v);
    return v;
  }

  set(key: string, hash: string): void {
    this.#known.set(key, hash);
    this.#used.set(key, hash);
    this.#dirty = true;
  }

  async save(layout: StoreLayout): Promise<void> {
    // Unchanged (every file was known, and every known file was used): nothing to write.
    if (this.#file === undefined || this.#used.size === 0 || (!this.#dirty && this.#used.size === this.#known.size)) return;
    await mkdir(join(layout.root, "hashes"), { recursive: true });
    await atomicWrite(this.#file, JSON.stringify(Object.fromEntries(this.#used)), layout.tmp);
  }
}

/** The memo the process's context hashing uses. */
export const hashMemo = new HashMemo();
