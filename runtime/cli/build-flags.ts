/**
 * `strata build`'s docker/buildx flags for inputs and results: `--label`, `--pull`, `--platform`
 * (part of the build request explain plans too: cli/build/build-request.ts), and the files CI
 * reads afterwards, `--iidfile` and `--metadata-file` (buildx's keys). Every value is checked as
 * the command line is read, before any work.
 */
import { rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { Command } from "commander";
import { parsePlatform } from "../../compiler/lower/platform.ts";
import { StrataError } from "../errors/error.ts";
import { atomicWrite } from "../fs/atomic-write.ts";
import type { Descriptor } from "../store/content-store.ts";
import { collect } from "./options.ts";

/** The flags that shape the build request (cli/build/build-request.ts), explain's as well as build's. */
export interface InputFlags {
  label: string[];
  pull?: boolean;
  /** --platform: one platform, or several (a multi-platform build: one image per platform, named by an OCI image index). */
  platform?: string[];
}

/** The files a build writes for CI to read. */
export interface BuildFlags {
  iidfile?: string;
  metadataFile?: string;
}

/** `--platform os/arch[/variant]`: one platform, normalised (`linux/arm64/v8` is `linux/arm64`, `linux/arm` is `linux/arm/v7`). */
export function platformValue(value: string): string {
  if (value.includes(",")) throw new StrataError("USAGE", `--platform ${value}: one platform only here (os/arch[/variant])`);
  if (!/^[a-z0-9_-]+\/[a-z0-9_-]+(\/[a-z0-9_-]+)?$/i.test(value.trim())) throw new StrataError("USAGE", `--platform ${value}: "${value}": unknown operating system or architecture: invalid argument (want os/arch[/variant], e.g. linux/amd64)`);
  const p = parsePlatform(value.trim());
  return `${p.os}/${p.arch}${p.variant ? `/${p.variant}` : ""}`;
}

/**
 * `--platform a,b,…` (buildx's list; repeatable too): the platforms, normalised, each once, in the
 * order given. Several make a multi-platform build.
 */
export function platformList(value: string, previous: string[] | undefined): string[] {
  const out = [...(previous ?? [])];
  for (const one of value.split(",")) {
    if (one.trim() === "") throw new StrataError("USAGE", `--platform ${value}: an empty platform in the list`);
    const p = platformValue(one);
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/** `--label KEY=VALUE` (a bare KEY is an empty value, as docker's). */
function labelValue(value: string, previous: string[]): string[] {
  if (value === "" || value.startsWith("=")) throw new StrataError("USAGE", `--label ${value}: invalid label: the key is empty`);
  return collect(value, previous);
}

export function inputFlagOptions(cmd: Command): Command {
  return cmd
    .option("--label <key=value>", "set metadata for the image; repeatable", labelValue, [])
    .option("--pull", "always attempt to pull a newer version of the base images")
    .option("--platform <os/arch,…>", "the platform to build for, or several (linux/amd64,linux/arm64: one image each, named by an image index); default: this machine's", platformList);
}

export function resultFlagOptions(cmd: Command): Command {
  return cmd
    .option("--iidfile <file>", "write the image ID to the file")
    .option("--metadata-file <file>", "write build result metadata to the file (buildx's keys)");
}

export function parseLabels(list: readonly string[]): Record<string, string> {
  return Object.fromEntries(list.map((kv) => (kv.includes("=") ? [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)] : [kv, ""])));
}

/**
 * `--iidfile` and `--metadata-file` are removed before a build starts, as buildx removes them,
 * so a failed build never leaves an earlier build's ID for a script to pick up.
 */
export async function removeBuildResults(opts: BuildFlags): Promise<void> {
  for (const f of [opts.iidfile, opts.metadataFile]) if (f !== undefined) await rm(f, { force: true });
}

/** Writes `--iidfile` (the image ID, no newline, as docker writes it) and `--metadata-file` (buildx's keys), each temp-then-rename. */
/** `pushed`: the manifest a push wrote, which buildx's metadata names when there is one (what `image@digest` users sign or deploy). */
export async function writeBuildResults(opts: BuildFlags, tags: readonly string[], result: { id: string; manifest: Descriptor }, pushed?: Descriptor): Promise<void> {
  if (opts.iidfile !== undefined) await atomicWrite(opts.iidfile, result.id, dirname(opts.iidfile));
  if (opts.metadataFile !== undefined) {
    const m = pushed ?? result.manifest;
    const metadata = {
      "containerimage.config.digest": result.id,
      "containerimage.descriptor": { mediaType: m.mediaType, digest: m.digest, size: m.size },
      "containerimage.digest": m.digest,
      ...(tags.length > 0 && { "image.name": tags.join(",") }),
    };
    await atomicWrite(opts.metadataFile, `${JSON.stringify(metadata, null, 2)}\n`, dirname(opts.metadataFile));
  }
}
