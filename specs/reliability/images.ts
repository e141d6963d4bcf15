/**
 * Hostile base images for the reliability battery, made cheaply: a hand-made tar imported with
 * `strata import` (one layer), an OCI archive of several hand-made layers for `strata load`, and
 * busybox (scripts/busybox-rootfs.sh, made once per spec file) imported into an arena's store.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeHeader, padding } from "../../runtime/layer/tar-format.ts";
import { makeTar, type TarSpec } from "../copy/helpers.ts";
import { type CliResult, repoRoot, strata, tempDir } from "../helpers/strata.ts";
import { sha } from "./oci.ts";

export { makeTar, type TarSpec };


/** An oci-archive (an OCI image layout as a tar) of one image with these uncompressed layers, named `ref`. */
export function ociArchive(layers: readonly Buffer[], ref: string): Buffer {
  const blobs = new Map<string, Buffer>();
  const add = (b: Buffer): { digest: string; size: number } => {
    const digest = sha(b);
    blobs.set(digest, b);
    return { digest, size: b.length };
  };
  const layerDescs = layers.map((l) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar", ...add(l) }));
  const config = Buffer.from(
    JSON.stringify({
      architecture: process.arch === "x64" ? "amd64" : process.arch,
      os: "linux",
      config: {},
      rootfs: { type: "layers", diff_ids: layers.map((l) => sha(l)) },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", ...add(config) },
      layers: layerDescs,
    }),
  );
  const m = add(manifest);
  const index = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...m, annotations: { "org.opencontainers.image.ref.name": ref } }],
  };
  const entries: TarSpec[] = [
    { name: "oci-layout", content: JSON.stringify({ imageLayoutVersion: "1.0.0" }) },
    { name: "index.json", content: JSON.stringify(index) },
    { name: "blobs/", type: "dir" },
    { name: "blobs/sha256/", type: "dir" },
  ];
  const parts = [makeTar(entries).subarray(0, -1024)];
  for (const [digest, bytes] of blobs) parts.push(makeTarBinary(`blobs/sha256/${digest.slice(7)}`, bytes));
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** One tar member holding binary bytes (makeTar takes strings). */
function makeTarBinary(name: string, bytes: Buffer): Buffer {
  const header = encodeHeader({ name, type: "file", mode: 0o644, uid: 0, gid: 0, size: bytes.length, mtime: 1_234_567_890, linkname: "", devmajor: 0, devminor: 0, xattrs: new Map() });
  return Buffer.concat([header, bytes, Buffer.alloc(padding(bytes.length))]);
}

/** `strata import` of a hand-made tar as `name` (written beside the store, in `dir`). */
export function importTar(root: string, dir: string, name: string, entries: readonly TarSpec[]): CliResult {
  const file = join(dir, `${name.replace(/[^a-z0-9]/gi, "_")}.tar`);
  writeFileSync(file, makeTar(entries));
  return strata(root, ["import", file, name]);
}

/** `strata load -i` of an oci-archive of these layers, named `ref` (written in `dir`). */
export function loadLayers(root: string, dir: string, ref: string, layers: readonly (readonly TarSpec[])[]): CliResult {
  const file = join(dir, `${ref.replace(/[^a-z0-9]/gi, "_")}.oci.tar`);
  writeFileSync(file, ociArchive(layers.map((l) => makeTar(l)), ref));
  return strata(root, ["load", "-i", file]);
}

let busybox: string | undefined;
/** The busybox rootfs tar, made once per spec file (in its own temp dir). */
export function busyboxTar(): string {
  if (busybox !== undefined && existsSync(busybox)) return busybox;
  const file = join(tempDir("rel-busybox"), "busybox.tar");
  const mk = spawnSync("bash", [join(repoRoot, "scripts/busybox-rootfs.sh"), file], { encoding: "utf8" });
  if (mk.status !== 0) throw new Error(`busybox-rootfs.sh failed: ${mk.stderr}`);
  busybox = file;
  return file;
}

/** Imports busybox:latest into `root` (an arena's store), for cases that RUN. */
export function seedBusybox(root: string): void {
  const r = strata(root, ["import", busyboxTar(), "busybox:latest"]);
  if (r.code !== 0) throw new Error(`strata import busybox failed: ${r.stderr}`);
}

/** The path list of a layer blob (GNU tar reads gzip and zstd on its own). */
export function layerPaths(root: string, ref: string, index: number): string[] {
  const raw = spawnSync("skopeo", ["inspect", "--raw", `oci:${root}:${ref}`], { encoding: "utf8" });
  if (raw.status !== 0) throw new Error(`skopeo inspect failed: ${raw.stderr}`);
  const layers = (JSON.parse(raw.stdout) as { layers: { digest: string }[] }).layers;
  const l = layers.at(index);
  if (l === undefined) throw new Error(`${ref} has no layer ${index}`);
  const blob = join(root, "blobs", "sha256", l.digest.slice(7));
  const t = spawnSync("tar", ["-tf", blob], { encoding: "utf8" });
  if (t.status !== 0) throw new Error(`tar -tf ${blob} failed: ${t.stderr}`);
  return t.stdout.split("\n").filter((s) => s !== "");
}

/** The layer digests of an image in the store. */
export function layerDigests(root: string, ref: string): string[] {
  const raw = spawnSync("skopeo", ["inspect", "--raw", `oci:${root}:${ref}`], { encoding: "utf8" });
  if (raw.status !== 0) throw new Error(`skopeo inspect failed: ${raw.stderr}`);
  return (JSON.parse(raw.stdout) as { layers: { digest: string }[] }).layers.map((l) => l.digest);
}

export const readText = (p: string): string => readFileSync(p, "utf8");
