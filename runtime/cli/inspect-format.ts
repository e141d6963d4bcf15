/**
 * `inspect -f/--format` as docker's (docker/cli cli/command/inspect): without it, or with
 * `json`, the objects as one indented JSON array; otherwise a Go template run on each object,
 * each result followed by a newline. Objects are given their Go struct's zero values
 * (format-fields.ts), so fields JSON omits print as docker's typed inspect prints them.
 */
import { type ContainerRecord, findContainer, NoSuchContainerError } from "../container/state.ts";
import { type ContainerStatus, containerStatus } from "../container/status.ts";
import type { Store } from "../store/store.ts";
import { containerInspect, inspectSource } from "./container-inspect.ts";
import { CONFIG_ZEROS, withZeroValues } from "./format-fields.ts";
import type { Template } from "./go-template/exec.ts";
import { executeTemplate, parseFormatTemplate } from "./output-format.ts";

/** A template, or "json" (the default) for the JSON array. */
export type InspectFormat = Template | "json";

/** The commander parser of `inspect --format` (inspect takes no `table`). */
export function parseInspectFormat(value: string): InspectFormat {
  if (value === "" || value === "json") return "json";
  // Taken as written: docker's inspect replaces no `\t` and knows no `table`.
  return parseFormatTemplate(value);
}

/** A container's inspect object. */
export async function inspectContainer(store: Store, ref: string): Promise<Record<string, unknown>> {
  return containerInspect(await inspectSource(store, ...(await containerAndStatus(store, ref))));
}

/** A container's inspect object, or undefined when no container has that name or ID. */
export async function inspectTarget(store: Store, ref: string): Promise<Record<string, unknown> | undefined> {
  try {
    return await inspectContainer(store, ref);
  } catch (e) {
    if (e instanceof NoSuchContainerError) return undefined;
    throw e;
  }
}

/** A container by name or ID, and its status now. */
export async function containerAndStatus(store: Store, ref: string): Promise<[ContainerRecord, ContainerStatus]> {
  const rec = await findContainer(store, ref);
  return [rec, await containerStatus(store, rec)];
}

export function inspectOutput(format: InspectFormat | undefined, objects: readonly Record<string, unknown>[]): string {
  if (format === undefined || format === "json") return `${JSON.stringify(objects, null, 4)}\n`;
  return objects
    .map((o) => {
      if (o.Config !== null && typeof o.Config === "object") withZeroValues(o.Config, CONFIG_ZEROS);
      return `${executeTemplate(format, o)}\n`;
    })
    .join("");
}
