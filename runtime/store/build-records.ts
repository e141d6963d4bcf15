import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256Hex } from "../../compiler/cache/canonical.ts";
import type { LayerParts } from "../../compiler/explain/parts.ts";
import type { StoreLayout } from "./layout.ts";
import { atomicWrite } from "../fs/atomic-write.ts";

/**
 * The build record: the key parts of every layer at the last successful
 * build of a target (a Dockerfile path and target stage), kept under
 * builds/<id>.json so explain can say why a layer misses now.
 */
export function targetId(dockerfile: string, target: string | undefined, platform?: string): string {
  return sha256Hex(`${dockerfile}\0${target ?? ""}${platform === undefined ? "" : `\0${platform}`}`).slice(0, 32);
}

export async function loadRecord(layout: StoreLayout, id: string): Promise<LayerParts[] | undefined> {
  try {
    return JSON.parse(await readFile(join(layout.root, "builds", `${id}.json`), "utf8")) as LayerParts[];
  } catch {
    return undefined;
  }
}

export async function saveRecord(layout: StoreLayout, id: string, parts: readonly LayerParts[]): Promise<void> {
  const path = join(layout.root, "builds", `${id}.json`);
  const text = JSON.stringify(parts);
  if ((await readFile(path, "utf8").catch(() => "")) === text) return;
  await mkdir(join(layout.root, "builds"), { recursive: true });
  await atomicWrite(path, text, layout.tmp);
}
