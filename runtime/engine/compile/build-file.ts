import { access, readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

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

/**
 * Finds the build file as `docker build` does, plus image.ts: `-f FILE`, or
 * PATH itself when it is a file (its directory is then the context), or
 * PATH/Dockerfile, or PATH/image.ts when there is no Dockerfile.
 */
export async function locateBuildFile(path: string, file: string | undefined): Promise<BuildFile> {
  const contextDir = resolve(path);
  if (file !== undefined) return { path: resolve(file), displayName: file, contextDir, explicit: true };
  if ((await stat(contextDir).catch(() => undefined))?.isFile()) return { path: contextDir, displayName: path, contextDir: dirname(contextDir), explicit: false };
  let name = "Dockerfile";
  if (!(await exists(resolve(contextDir, name))) && (await exists(resolve(contextDir, "image.ts")))) name = "image.ts";
  return { path: resolve(contextDir, name), displayName: `${path.replace(/\/$/, "")}/${name}`, contextDir, explicit: false };
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
