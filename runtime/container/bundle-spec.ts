import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ContainerPaths } from "../store/container-paths.ts";

/** The parts of a container's runc bundle (config.json, written at each start) that commands read back. */
export interface BundleSpec {
  readonly root?: { readonly readonly?: boolean };
  readonly mounts?: readonly { readonly destination: string; readonly source?: string; readonly type?: string; readonly options?: readonly string[] }[];
  readonly linux?: { readonly maskedPaths?: readonly string[]; readonly readonlyPaths?: readonly string[] };
}

/** The bundle of the container's last start, or undefined for a container never started. */
export async function loadBundleSpec(root: string, id: string): Promise<BundleSpec | undefined> {
  const text = await readFile(join(new ContainerPaths(root, id).bundle, "config.json"), "utf8").catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as BundleSpec);
}
