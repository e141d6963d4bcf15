import { mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { hexOf, type StoreLayout } from "./layout.ts";
import { atomicWrite } from "../fs/atomic-write.ts";

/** What a cache key maps to: the layer a step produced (cache/<key hex>.json). */
export interface CacheRecord {
  /** null: the step changed nothing, so it has no layer. */
  readonly diffId: string | null;
  readonly size: number;
  /** When the layer was made (history `created`), so a cached rebuild gives the same image. */
  readonly created: string;
}

export class CacheRecords {
  readonly layout: StoreLayout;
  constructor(layout: StoreLayout) {
    this.layout = layout;
  }

  path(key: string): string {
    return join(this.layout.cache, `${hexOf(key)}.json`);
  }

  async get(key: string): Promise<CacheRecord | undefined> {
    try {
      return JSON.parse(await readFile(this.path(key), "utf8")) as CacheRecord;
    } catch {
      return undefined;
    }
  }

  /** Whether a build would be served from the cache for this key: a record whose layer blob is in the store. */
  async has(key: string): Promise<boolean> {
    const r = await this.get(key);
    if (r === undefined) return false;
    if (r.diffId === null) return true;
    try {
      await stat(this.layout.blob(r.diffId));
      return true;
    } catch {
      return false;
    }
  }

  async put(key: string, record: CacheRecord): Promise<void> {
    await mkdir(this.layout.cache, { recursive: true });
    await atomicWrite(this.path(key), JSON.stringify(record), this.layout.tmp);
  }
}
