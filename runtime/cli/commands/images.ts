import type { Command } from "commander";
import { Option } from "commander";
import { danglingImages } from "../../store/dangling.ts";
import { unpackedLayerSizes } from "../../image/unpacked-size.ts";
import { familiarRepo, parseName } from "../../store/names.ts";
import { openStore } from "../context.ts";
import { humanSize, shortId, table, timeAgo } from "../format.ts";
import { imageGroup } from "../image-group.ts";

interface ListOptions {
  quiet?: boolean;
  trunc: boolean;
  digests?: boolean;
  format: "table" | "json";
}

async function listImages(cmd: Command, opts: ListOptions): Promise<void> {
  const store = await openStore(cmd);
  // Named images, and the dangling ones (an unnamed copy of a named image is not listed as <none>).
  const dangling = new Set((await danglingImages(store)).map((d) => d.digest));
  const refs = (await store.refs.list()).filter((e) => e.name !== undefined || dangling.has(e.descriptor.digest));
  const images = await Promise.all(refs.map(({ descriptor }) => store.loadManifest(descriptor)));
  // docker shows the unpacked size, the same for one image id however it arrived.
  const sizes = await Promise.all(images.map(async (img) => (await unpackedLayerSizes(store, img)).reduce((n, s) => n + s, 0)));
  const rows: Record<string, string>[] = [];
  for (const [i, { name, descriptor }] of refs.entries()) {
    const img = images[i] as (typeof images)[number];
    const parsed = name ? parseName(name) : undefined;
    rows.push({
      Repository: parsed ? familiarRepo(parsed) : "<none>",
      Tag: parsed?.tag ?? "<none>",
      Digest: descriptor.digest,
      ID: opts.trunc ? shortId(img.configDigest) : img.configDigest,
      CreatedAt: img.config.created ?? "",
      CreatedSince: timeAgo(img.config.created),
      Size: humanSize(sizes[i] ?? 0),
    });
  }
  // Newest first. RFC 3339 times compare as strings; localeCompare would load ICU's collator (~10 ms).
  rows.sort((a, b) => ((a.CreatedAt ?? "") < (b.CreatedAt ?? "") ? 1 : (a.CreatedAt ?? "") > (b.CreatedAt ?? "") ? -1 : 0));
  if (opts.quiet) {
    process.stdout.write([...new Set(rows.map((r) => r.ID))].map((id) => `${id}\n`).join(""));
    return;
  }
  if (opts.format === "json") {
    process.stdout.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
    return;
  }
  const head = ["REPOSITORY", "TAG", ...(opts.digests ? ["DIGEST"] : []), "IMAGE ID", "CREATED", "SIZE"];
  const body = rows.map((r) => [r.Repository, r.Tag, ...(opts.digests ? [r.Digest] : []), r.ID, r.CreatedSince, r.Size].map(String));
  process.stdout.write(`${table([head, ...body])}\n`);
}

export function registerImages(program: Command): void {
  const describe = (c: Command) =>
    c
      .description("List images")
      .option("-q, --quiet", "only show image IDs")
      .option("--digests", "show digests")
      .option("--no-trunc", "do not truncate output")
      .addOption(new Option("--format <format>", "table or json (one object per line)").choices(["table", "json"]).default("table"))
      .action(async (opts: ListOptions, cmd: Command) => listImages(cmd, opts));
  describe(program.command("images"));
  describe(imageGroup(program).command("ls").alias("list"));
}
