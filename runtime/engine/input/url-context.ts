/**
 * A build context named by an http(s) URL that is not a git repository: `docker build
 * https://host/ctx.tar.gz` and buildx's `--build-context NAME=https://…`. The body is downloaded
 * with undici (redirects followed, its 300 s header and idle timeouts) into the scratch directory,
 * at most STRATA_MAX_LAYER_BYTES (spool.ts); the caller tells a tarball (archive-context.ts)
 * from a plain file by its content, as docker and buildx do.
 */
import { StrataError } from "../../errors/error.ts";
import { spool } from "./spool.ts";

/** Whether a context argument is an http(s) URL (git URLs are told apart first: git-context.ts). */
export function isUrlContext(arg: string): boolean {
  return /^https?:\/\//i.test(arg);
}

/** Downloads `url` into the new file `file`; `what` names the context in messages. */
export async function downloadContext(url: string, file: string, what: string): Promise<void> {
  // undici is loaded only for a URL context (it is heavy for every other build); it is CommonJS.
  const undici = await import("undici");
  const fetch = undici.fetch ?? (undici as unknown as { default: typeof undici }).default.fetch;
  let res: Awaited<ReturnType<typeof fetch>>;
  try {
    res = await fetch(url, { redirect: "follow" });
  } catch (e) {
    const cause = (e as { cause?: Error }).cause;
    throw new StrataError("CONTEXT_SOURCE", `${what}: ${cause?.message ?? (e as Error).message}`, { cause: e });
  }
  if (!res.ok || res.body === null) throw new StrataError("CONTEXT_SOURCE", `${what}: invalid response status ${res.status} ${res.statusText}`.trimEnd());
  try {
    await spool(res.body, file, what);
  } catch (e) {
    if (e instanceof StrataError) throw e;
    throw new StrataError("CONTEXT_SOURCE", `${what}: the download failed: ${(e as Error).message}`, { cause: e });
  }
}
