import { access, readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { ShownNames } from "../input/build-input.ts";

/** The file a build compiles and the directory its COPY and ADD read from. */
export interface BuildFile {
  /** Absolute path of the Dockerfile or image.ts. */
  readonly path: string;
  /** The name diagnostics and explain show: as the user wrote it. */
  readonly displayName: string;
  /** Absolute path of the build context. */
  readonly contextDir: string;
  /** Whether -f named it (then `<file>.dockerignore` beside it applies before the context's .dockerignore). */
  readonly explicit: boolean;
}

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

/** The default build files, in order: docker's Dockerfile, then podman's Containerfile, then image.ts. */
export const DEFAULT_BUILD_FILES = ["Dockerfile", "Containerfile", "image.ts"] as const;

/**
 * Finds the build file as `docker build` (and `podman build`) does, plus image.ts: `-f FILE`,
 * or PATH itself when it is a file (its directory is then the context), or the first of
 * PATH/Dockerfile, PATH/Containerfile, PATH/image.ts that exists (PATH/Dockerfile when none does,
 * for the error).
 */
export async function locateBuildFile(path: string, file: string | undefined, shown: ShownNames = {}): Promise<BuildFile> {
  const contextDir = resolve(path);
  if (file !== undefined) return { path: resolve(file), displayName: shown.file ?? file, contextDir, explicit: true };
  if ((await stat(contextDir).catch(() => undefined))?.isFile()) return { path: contextDir, displayName: path, contextDir: dirname(contextDir), explicit: false };
  let name: string = DEFAULT_BUILD_FILES[0];
  for (const candidate of DEFAULT_BUILD_FILES) {
    if (await exists(resolve(contextDir, candidate))) {
      name = candidate;
      break;
    }
  }
  const prefix = shown.context ?? path.replace(/\/$/, "");
  return { path: resolve(contextDir, name), displayName: prefix === "" ? name : `${prefix}/${name}`, contextDir, explicit: false };
}

/**
 * The ignore file a build applies: `<Dockerfile>.dockerignore` beside an explicitly named
 * Dockerfile, else the context's `.dockerignore`; undefined when there is none.
 */
export async function findIgnoreFile(root: string, dockerfilePath?: string): Promise<{ readonly path: string; readonly text: string } | undefined> {
  const candidates = [dockerfilePath ? `${dockerfilePath}.dockerignore` : undefined, join(root, ".dockerignore")].filter((p): p is string => p !== undefined);
  for (const path of candidates) {
    try {
      return { path, text: await readFile(path, "utf8") };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  return undefined;
}
