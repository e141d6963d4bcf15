import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { type CliResult, storeWithBusybox, strata, tempDir } from "./strata.ts";

/** A store with busybox:latest and a folder of small build contexts, for specs that build one-line Dockerfiles. */
export interface SmallBuilds {
  readonly root: string;
  /** Writes `dockerfile` (and `files`) into a context named `name` and builds it as `tag` (default `<name>:t`). */
  build(name: string, dockerfile: string, o?: { files?: Record<string, string>; args?: readonly string[]; tag?: string }): CliResult;
  cleanup(): void;
}

export function smallBuilds(prefix: string): SmallBuilds {
  const { root, cleanup } = storeWithBusybox(prefix);
  const ctx = tempDir(`${prefix}-ctx`);
  return {
    root,
    build(name, dockerfile, o = {}) {
      const dir = join(ctx, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "Dockerfile"), dockerfile);
      for (const [f, c] of Object.entries(o.files ?? {})) writeFileSync(join(dir, f), c);
      return strata(root, ["build", "-t", o.tag ?? `${name}:t`, ...(o.args ?? []), dir]);
    },
    cleanup() {
      cleanup();
      rmSync(ctx, { recursive: true, force: true });
    },
  };
}

/** smallBuilds for the enclosing describe: made before its tests, removed after them. */
export function useSmallBuilds(prefix: string): Omit<SmallBuilds, "cleanup"> {
  let made: SmallBuilds | undefined;
  beforeAll(() => {
    made = smallBuilds(prefix);
  });
  afterAll(() => made?.cleanup());
  const get = (): SmallBuilds => {
    if (made === undefined) throw new Error("useSmallBuilds: used outside a test");
    return made;
  };
  return {
    get root() {
      return get().root;
    },
    build: (name, dockerfile, o) => get().build(name, dockerfile, o),
  };
}

/** What skopeo reads of an image in the store (`--raw`: the manifest, `--config`: the config). */
export function skopeoInspect<T>(root: string, ref: string, what: "--raw" | "--config"): T {
  const r = spawnSync("skopeo", ["inspect", what, `oci:${root}:${ref}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as T;
}

/** The layer blobs of an image, bottom first (uncompressed tars in the store). */
export function layerBlobs(root: string, ref: string): string[] {
  return skopeoInspect<{ layers: { digest: string }[] }>(root, ref, "--raw").layers.map((l) => join(root, "blobs/sha256", l.digest.slice(7)));
}
