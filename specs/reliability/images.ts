/**
 * Hostile base images for the reliability battery, made cheaply: a hand-made tar imported with
 * `strata import` (one layer), and an OCI archive of several hand-made layers (tars.ts) for
 * `strata load`.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTar, type TarSpec } from "../copy/helpers.ts";
import { type CliResult, strata } from "../helpers/strata.ts";
import { ociArchive } from "./tars.ts";

export { makeTar, type TarSpec };

/** `strata import` of a hand-made tar as `name` (written beside the store, in `dir`). */
export function importTar(root: string, dir: string, name: string, entries: readonly TarSpec[]): CliResult {
  const file = join(dir, `${name.replace(/[^a-z0-9]/gi, "_")}.tar`);
  writeFileSync(file, makeTar(entries));
  return strata(root, ["import", file, name]);
}

/** `strata load -i` of an oci-archive of these layers, named `ref` (written in `dir`). */
export function loadLayers(root: string, dir: string, ref: string, layers: readonly (readonly TarSpec[])[]): CliResult {
  const file = join(dir, `${ref.replace(/[^a-z0-9]/gi, "_")}.oci.tar`);
  writeFileSync(file, ociArchive(layers.map((l) => makeTar(l)), { name: ref }));
  return strata(root, ["load", "-i", file]);
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
