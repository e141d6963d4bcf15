import type { Command } from "commander";
import { namesOfId, storedImages } from "../../store/image-list.ts";
import { familiarName, parseName } from "../../store/names.ts";
import type { Store } from "../../store/store.ts";
import { StrataError } from "../../errors/error.ts";
import { platformValue } from "../build-flags.ts";
import { openStore } from "../context.ts";
import { reportError } from "../report-error.ts";
import { imageGroup } from "../image-group.ts";
import { inspectContainer, inspectOutput, inspectTarget, type InspectFormat, parseInspectFormat } from "../inspect-format.ts";
import { containerGroup } from "../container-command.ts";

/** docker's `image inspect` JSON for one image: of an image index, its child for `platform` (else this machine's), `Descriptor` the index. */
async function inspectImage(store: Store, ref: string, platform: string | undefined): Promise<Record<string, unknown>> {
  const img = await store.getImage(ref, platform);
  // docker's by image ID: the tags and the repository digests of every manifest of it.
  const { tags, digests } = namesOfId(await storedImages(store), img.configDigest);
  const familiar = (names: readonly string[]) => names.map((n) => familiarName(parseName(n)));
  const last = img.config.history?.filter((h) => h.comment).pop();
  return {
    Id: img.configDigest,
    RepoTags: familiar(tags),
    RepoDigests: familiar(digests),
    Parent: "",
    Comment: last?.comment ?? "",
    Created: img.config.created ?? "",
    Author: img.config.author ?? "",
    Config: img.config.config,
    Architecture: img.config.architecture,
    Os: img.config.os,
    ...(img.config.variant && { Variant: img.config.variant }),
    Size: img.manifest.layers.reduce((n, l) => n + l.size, 0),
    RootFS: { Type: "layers", Layers: img.config.rootfs.diff_ids },
    Metadata: { LastTagTime: "" },
    Descriptor: img.top,
  };
}

type Lookup = "any" | "image" | "container";

/** docker's --type values; Strata keeps objects of the first two only. */
const TYPES = ["container", "image", "config", "network", "node", "plugin", "secret", "service", "task", "volume"];

function parseType(value: string): Lookup {
  if (value === "container" || value === "image") return value;
  if (TYPES.includes(value)) throw new StrataError("USAGE", `--type ${value}: Strata has no ${value}s; inspect --type takes container or image`);
  throw new StrataError("USAGE", `"${value}" is not a valid value for --type`);
}

/** One object: with lookup "any", a container, else an image, else docker's "No such object". */
async function inspectOne(store: Store, ref: string, lookup: Lookup, platform: string | undefined): Promise<Record<string, unknown>> {
  if (lookup === "container") return inspectContainer(store, ref);
  if (lookup === "image") return inspectImage(store, ref, platform);
  const container = await inspectTarget(store, ref);
  if (container !== undefined) return container;
  try {
    return await inspectImage(store, ref, platform);
  } catch (e) {
    if (e instanceof StrataError && e.code === "IMAGE_NOT_FOUND" && e.message.startsWith("No such image")) throw new StrataError("NO_SUCH_OBJECT", `No such object: ${ref}`);
    throw e;
  }
}

export function registerInspect(program: Command): void {
  // `strata inspect` looks for a container, then an image, as docker's does; `image inspect` and
  // `container inspect` look for their kind only.
  const parents: [Command, Lookup, string][] = [
    [program, "any", "Display detailed information on containers or images"],
    [imageGroup(program), "image", "Display detailed information on one or more images"],
    [containerGroup(program), "container", "Display detailed information on one or more containers"],
  ];
  for (const [parent, lookup, description] of parents) {
    const c = parent.command("inspect");
    if (lookup === "any") c.option("--type <type>", "return JSON for the type given: container or image", parseType);
    if (lookup !== "container") c.option("--platform <os/arch>", "of a multi-platform image, inspect this platform's image (default: this machine's)", platformValue);
    c
      .description(description)
      .argument(lookup === "image" ? "<images...>" : lookup === "container" ? "<containers...>" : "<names...>")
      .option("-f, --format <format>", "a Go template run on each object, or json (the default)", parseInspectFormat)
      .action(async (refs: string[], opts: { format?: InspectFormat; type?: Lookup; platform?: string }, cmd: Command) => {
        const store = await openStore(cmd);
        const out: Record<string, unknown>[] = [];
        for (const ref of refs) {
          try {
            out.push(await inspectOne(store, ref, opts.type ?? lookup, opts.platform));
          } catch (e) {
            reportError(e);
          }
        }
        process.stdout.write(inspectOutput(opts.format, out));
      });
  }
}
