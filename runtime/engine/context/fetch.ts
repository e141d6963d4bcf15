/**
 * ADD <url>: the remote file, fetched once per build with undici (redirects
 * followed) into a private temp file, with its sha256 and Last-Modified.
 * `--checksum=sha256:<hex>` is verified before anything is placed. A download is bounded as a
 * layer is (STRATA_MAX_LAYER_BYTES, layer/limits.ts): a Content-Length over it is refused before
 * the body is read, and a body that grows past it is cut off and its file removed.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { CopyError } from "./copy-error.ts";
import { LimitError, limit } from "../../layer/limits.ts";

export interface Fetched {
  readonly url: string;
  /** The downloaded bytes, in a temp file removed when the process exits. */
  readonly file: string;
  /** "sha256:<hex>" of the content. */
  readonly digest: string;
  readonly size: number;
  /** From the Last-Modified header, when there is one. */
  readonly lastModified: Date | undefined;
}

let tempDir: string | undefined;
function downloads(): string {
  if (tempDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "strata-add-"));
    tempDir = dir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return tempDir;
}

/** The name BuildKit gives a downloaded file: the URL path's last component, or `__unnamed__`. */
export function urlFileName(src: string): string {
  try {
    const base = posix.basename(new URL(src).pathname);
    return base === "" || base === "." || base === "/" ? "__unnamed__" : decodeURIComponent(base);
  } catch {
    return "__unnamed__";
  }
}

async function download(url: string): Promise<Fetched> {
  let res: Awaited<ReturnType<typeof fetch>>;
  try {
    // undici is loaded only when an ADD fetches a URL (it is heavy for every other build).
    // (undici is CommonJS: Node does not see `fetch` among its named exports.)
    const undici = await import("undici");
    const fetch = undici.fetch ?? (undici as unknown as { default: typeof undici }).default.fetch;
    res = await fetch(url, { redirect: "follow" });
  } catch (e) {
    const cause = (e as { cause?: Error }).cause;
    throw new CopyError("COPY_URL_FETCH", `${url}: ${cause?.message ?? (e as Error).message}`);
  }
  if (!res.ok || res.body === null) throw new CopyError("COPY_URL_FETCH", `${url}: invalid response status ${res.status} ${res.statusText}`.trimEnd());
  const max = limit("layerBytes");
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (declared > max) {
    await res.body.cancel().catch(() => undefined);
    throw new LimitError("layerBytes", url, `${declared} bytes (Content-Length)`);
  }
  const file = join(downloads(), createHash("sha256").update(url).digest("hex").slice(0, 32));
  const h = createHash("sha256");
  const fh = await open(file, "w", 0o600);
  let size = 0;
  try {
    for await (const chunk of res.body) {
      const b = chunk as Uint8Array;
      size += b.length;
      if (size > max) throw new LimitError("layerBytes", url, `more than ${max} bytes`);
      h.update(b);
      await fh.write(b);
    }
  } catch (e) {
    await fh.close();
    rmSync(file, { force: true });
    throw e;
  }
  await fh.close();
  const lm = res.headers.get("last-modified");
  const lastModified = lm ? new Date(lm) : undefined;
  return { url, file, digest: `sha256:${h.digest("hex")}`, size, lastModified: lastModified && !Number.isNaN(lastModified.getTime()) ? lastModified : undefined };
}

/** Fetches `url` once per cache map (one per build). */
export function fetchOnce(cache: Map<string, Promise<Fetched>>, url: string): Promise<Fetched> {
  let p = cache.get(url);
  if (p === undefined) {
    p = download(url);
    cache.set(url, p);
    p.catch(() => cache.delete(url));
  }
  return p;
}

/** Checks `--checksum` (only sha256 is supported, as in BuildKit). */
export function verifyChecksum(f: Fetched, checksum: string | undefined): void {
  if (checksum === undefined) return;
  if (!/^sha256:[0-9a-f]{64}$/.test(checksum)) throw new CopyError("COPY_URL_FETCH", `${f.url}: invalid checksum ${checksum}: expected sha256:<64 hex digits>`);
  if (checksum !== f.digest) throw new CopyError("COPY_URL_FETCH", `${f.url}: checksum mismatch: expected ${checksum}, got ${f.digest}`);
}
