/**
 * Files the standalone executable carries (scripts/build-exe.mjs embeds them as SEA assets and
 * defines `__STRATA_SEA_ASSETS__`, each asset's sha256): what Node can load only from a file,
 * a native addon and the ts-morph chunk, is written on first use into the user's cache
 * ($XDG_CACHE_HOME/strata, else ~/.cache/strata; native/ and modules/, 0700), named by its
 * sha256 — into a temp file, read back and hashed, then renamed — and loaded from there.
 * Nothing is written beside the executable. A file already there was verified when it was
 * renamed into place, so later starts check only its size.
 */
import { createHash, randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { extname, join } from "node:path";
import { getRawAsset } from "node:sea";
import { userCache } from "./user-cache.ts";

/** Set by scripts/build-exe.mjs: asset key → sha256 (hex) of its bytes. */
declare const __STRATA_SEA_ASSETS__: Readonly<Record<string, string>>;

/** The path of the embedded file `key` in the user's cache, written there first if missing. */
export function embeddedFile(key: string): string {
  const sha = __STRATA_SEA_ASSETS__[key];
  if (sha === undefined) throw new Error(`internal: the executable embeds no ${key}`);
  const dir = join(userCache(), key.endsWith(".node") ? "native" : "modules");
  const path = join(dir, `${sha}${extname(key)}`);
  const bytes = new Uint8Array(getRawAsset(key));
  try {
    if (statSync(path).size === bytes.byteLength) return path;
  } catch {
    // not there yet
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const fd = openSync(tmp, "wx", 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const got = createHash("sha256").update(readFileSync(tmp)).digest("hex");
  if (got !== sha) {
    rmSync(tmp, { force: true });
    throw new Error(`internal: the executable's embedded ${key} hashes to sha256:${got}, not sha256:${sha}`);
  }
  renameSync(tmp, path);
  return path;
}

/** Loads the embedded native addon `key` (process.dlopen, as require does for a .node file). */
export function loadEmbeddedAddon(key: string): unknown {
  const module = { exports: {} };
  process.dlopen(module, embeddedFile(key));
  return module.exports;
}

/** Loads the embedded CommonJS module `key` with Node's own loader (so V8's compile cache keeps it compiled). */
export function requireEmbedded(key: string): unknown {
  const path = embeddedFile(key);
  return createRequire(path)(path);
}
