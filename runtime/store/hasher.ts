/**
 * The SHA-256 a content writer runs. Ordinarily node:crypto's (OpenSSL, fastest here). A
 * writer that starts with the first bytes of a stored blob (a merged layer that begins with
 * its first step's layer, merge-layers.ts) resumes a saved state instead of hashing those
 * bytes again: node:crypto cannot save or load a hash's state, hash-wasm can (116 bytes).
 */
import { createHash, type Hash } from "node:crypto";
import type { IHasher } from "hash-wasm";

export interface Hasher {
  update(chunk: Uint8Array): void;
  /** "sha256:<hex>" of the bytes so far; the hasher goes on. */
  peek(): string;
  /** "sha256:<hex>" of all the bytes; the hasher is done. */
  final(): string;
}

export function nodeHasher(): Hasher {
  const h: Hash = createHash("sha256");
  return {
    update: (c) => h.update(c),
    peek: () => `sha256:${h.copy().digest("hex")}`,
    final: () => `sha256:${h.digest("hex")}`,
  };
}

/** A hasher whose state can be saved: `save()` is what `resumedHasher` takes. */
export interface SavableHasher extends Hasher {
  save(): Uint8Array;
}

/** A hash-wasm SHA-256, fresh or resumed from a saved state. */
export async function savableHasher(state?: Uint8Array): Promise<SavableHasher> {
  // Loaded when first needed, and only its SHA-256 (hash-wasm-sha256.d.ts): all of it is 13 ms of a command's start.
  const { createSHA256 } = (await import("hash-wasm/dist/sha256.umd.min.js")).default;
  const h: IHasher = await createSHA256();
  // A second instance answers `peek` without disturbing the first (load is synchronous).
  const spare: IHasher = await createSHA256();
  if (state === undefined) h.init();
  else h.load(state);
  return {
    update: (c) => void h.update(c),
    peek: () => {
      spare.load(h.save());
      return `sha256:${spare.digest("hex")}`;
    },
    final: () => `sha256:${h.digest("hex")}`,
    save: () => h.save(),
  };
}
