import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type CliResult, strata, tempDir } from "../helpers/strata.ts";

const created: string[] = [];

/** A temporary directory that `removeTemps` deletes. */
export function temp(prefix: string): string {
  const dir = tempDir(prefix);
  created.push(dir);
  return dir;
}

/** Deletes every directory `temp` and `context` made in this file's process. */
export function removeTemps(): void {
  for (const d of created.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A build context directory with these files (path → content). */
export function context(prefix: string, files: Record<string, string>): string {
  const dir = temp(prefix);
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  return dir;
}

/** Builds the Dockerfile text in a fresh context (plus files) and tags it. */
export function build(root: string, tag: string, dockerfile: string, files: Record<string, string> = {}, extra: string[] = [], env?: Record<string, string>): CliResult & { ctx: string } {
  const ctx = context(`run-${tag.replace(/[^a-z0-9]/gi, "-")}`, { ...files, Dockerfile: dockerfile });
  return { ...strata(root, ["build", "--no-cache", "-t", tag, ...extra, ctx], env ? { env } : {}), ctx };
}

interface Manifest {
  config: { digest: string };
  layers: { digest: string }[];
}

function blob(root: string, digest: string): string {
  return join(root, "blobs/sha256", digest.replace("sha256:", ""));
}

export function manifest(root: string, tag: string): Manifest {
  const index = JSON.parse(readFileSync(join(root, "index.json"), "utf8")) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const ref = tag.includes(":") ? tag : `${tag}:latest`;
  const m = index.manifests.find((d) => d.annotations?.["org.opencontainers.image.ref.name"] === ref);
  if (m === undefined) throw new Error(`no image ${ref}`);
  return JSON.parse(readFileSync(blob(root, m.digest), "utf8")) as Manifest;
}

/** The entry names of the image's last layer tar. */
export function lastLayer(root: string, tag: string): string[] {
  const layers = manifest(root, tag).layers;
  const t = spawnSync("tar", ["-tf", blob(root, (layers[layers.length - 1] as { digest: string }).digest)], { encoding: "utf8" });
  return t.stdout.split("\n").filter((l) => l !== "");
}

/**
 * Whether the image's last instruction made no layer: a step that changes
 * nothing (only mount points, scripts on a tmpfs...) gets a history entry
 * with empty_layer and no layer, as BuildKit exports it.
 */
export function lastStepEmpty(root: string, tag: string): boolean {
  const history = (JSON.parse(configText(root, tag)) as { history: { empty_layer?: boolean }[] }).history;
  return history[history.length - 1]?.empty_layer === true;
}

/** The image config JSON text. */
export function configText(root: string, tag: string): string {
  return readFileSync(blob(root, manifest(root, tag).config.digest), "utf8");
}

/** Runs a command in the image (`strata run --rm`). */
export function runIn(root: string, tag: string, ...cmd: string[]): CliResult {
  return strata(root, ["run", "--rm", tag, ...cmd]);
}

/** Build output lines of the RUN steps (the `#N 0.05 text` lines), text only. */
export function output(r: CliResult): string[] {
  return r.stderr
    .split("\n")
    .map((l) => /^#\d+ \d+\.\d+ (.*)$/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined);
}
