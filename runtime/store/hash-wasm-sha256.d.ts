// hash-wasm's SHA-256 alone (18 KB, against 216 KB for all its algorithms): a UMD file, which an
// ES import sees as its default export.
declare module "hash-wasm/dist/sha256.umd.min.js" {
  const sha256: { createSHA256: typeof import("hash-wasm").createSHA256 };
  export default sha256;
}
