import type { Command } from "commander";
import { Option } from "commander";
import { unpackedLayerSizes } from "../../image/unpacked-size.ts";
import { openStore } from "../context.ts";
import { collectFilter, type Filters } from "../filters.ts";
import { selectImages } from "../image-select.ts";
import { humanSize, shortId, timeAgo } from "../format.ts";
import { imageGroup } from "../image-group.ts";
import { IMAGE_HEADERS, IMAGE_TABLE, IMAGE_TABLE_WITH_DIGEST, goTimeString } from "../format-fields.ts";
import { strictFields } from "../go-template/exec.ts";
import { formatItems, type OutputFormat, parseOutputFormat } from "../output-format.ts";

interface ListOptions {
  quiet?: boolean;
  trunc: boolean;
  digests?: boolean;
  format: OutputFormat;
  filter?: Filters;
}

async function listImages(reference: string | undefined, cmd: Command, opts: ListOptions): Promise<void> {
  const store = await openStore(cmd);
  const rows: Record<string, string>[] = [];
  const sizes = new Map<string, string>();
  const digests = opts.digests ?? false;
  const format = digests ? withDigestColumn(opts.format) : opts.format;
  const needDigest = digests || (format.kind === "template" && format.source.includes("{{.Digest}}"));
  for (const { image: img, repository, tag, digest } of await selectImages(store, opts.filter ?? new Map(), reference, { digests, needDigest })) {
    // docker shows the unpacked size, the same for one image ID however it arrived (once per image, not per name).
    let size = sizes.get(img.manifestDigest);
    if (size === undefined) {
      size = humanSize((await unpackedLayerSizes(store, img)).reduce((n, l) => n + l, 0));
      sizes.set(img.manifestDigest, size);
    }
    rows.push({
      Repository: repository,
      Tag: tag,
      Digest: digest,
      ID: opts.trunc ? shortId(img.configDigest) : img.configDigest,
      CreatedAt: img.config.created ?? "",
      CreatedSince: timeAgo(img.config.created),
      Size: size,
      // docker's other imageContext fields, N/A unless docker computes them.
      Containers: "N/A",
      SharedSize: "N/A",
      UniqueSize: "N/A",
      VirtualSize: size,
    });
  }
  // Newest first. RFC 3339 times compare as strings; localeCompare would load ICU's collator (~10 ms).
  rows.sort((a, b) => ((a.CreatedAt ?? "") < (b.CreatedAt ?? "") ? 1 : (a.CreatedAt ?? "") > (b.CreatedAt ?? "") ? -1 : 0));
  // --format json or a template wins over -q, as docker's.
  if (opts.quiet && opts.format.kind === "table") {
    // One ID per row, as docker prints them (an image of two names twice).
    process.stdout.write(rows.map((r) => `${r.ID}\n`).join(""));
    return;
  }
  const items = rows.map((r) => strictFields({ ...r, CreatedAt: goTimeString(r.CreatedAt) }, "*formatter.imageContext"));
  process.stdout.write(formatItems(format, items, IMAGE_HEADERS, digests ? IMAGE_TABLE_WITH_DIGEST : IMAGE_TABLE));
}

/** docker's NewImageFormat: --digests adds a DIGEST column to a `table …` format that has none. */
function withDigestColumn(format: OutputFormat): OutputFormat {
  if (format.kind !== "template" || !format.table || format.source.includes("{{.Digest}}")) return format;
  return parseOutputFormat(`${format.source}\t{{.Digest}}`);
}

export function registerImages(program: Command): void {
  const describe = (c: Command) =>
    c
      .description("List images")
      .argument("[reference]", "only images of this REPO[:TAG] (a pattern, as -f reference=)")
      .option("-f, --filter <filter>", "dangling=true|false, label=K[=V], before=IMAGE, since=IMAGE, until=TIME, reference=PATTERN; repeatable", collectFilter)
      .option("-a, --all", "show all images (Strata keeps no intermediate images: the same list)")
      .option("-q, --quiet", "only show image IDs")
      .option("--digests", "show digests")
      .option("--no-trunc", "do not truncate output")
      .addOption(new Option("--format <format>", "table, json (one object per line), table TEMPLATE or a Go template").argParser(parseOutputFormat).default(parseOutputFormat("table"), "table"))
      .action(async (reference: string | undefined, opts: ListOptions, cmd: Command) => listImages(reference, cmd, opts));
  describe(program.command("images"));
  describe(imageGroup(program).command("ls").alias("list"));
}
