import type { Command } from "commander";
import { Option } from "commander";
import { platformValue } from "../build-flags.ts";
import { openStore } from "../context.ts";
import { humanSize, shortId, timeAgo } from "../format.ts";
import { imageGroup } from "../image-group.ts";
import { unpackedLayerSizes } from "../../image/unpacked-size.ts";
import { parseMergedComment } from "../../engine/exec/merge-group.ts";
import type { HistoryEntry } from "../../store/oci.ts";
import { goRfc3339, HISTORY_HEADERS, HISTORY_TABLE } from "../format-fields.ts";
import { strictFields } from "../go-template/exec.ts";
import { formatItems, type OutputFormat, parseOutputFormat } from "../output-format.ts";

interface HistoryOptions {
  trunc: boolean;
  quiet?: boolean;
  format: OutputFormat;
  platform?: string;
}

/** One history row: its size (an instruction's own bytes when it shares a merged layer) and comment. */
function describe(h: HistoryEntry, layerSize: number | undefined): { h: HistoryEntry; size: number; comment: string } {
  const part = parseMergedComment(h.comment);
  if (part === undefined) return { h, size: layerSize ?? 0, comment: h.comment ?? "" };
  const all = layerSize === undefined ? "" : `, ${humanSize(layerSize)} in all`;
  return { h, size: part.size, comment: `shares one layer: ${part.k} of ${part.n}${all}` };
}

/** CREATED BY, its tabs made spaces (docker's, for the table), cut to 45 characters with "…" unless --no-trunc. */
function createdBy(h: HistoryEntry, trunc: boolean): string {
  const by = (h.created_by ?? "").replaceAll("\t", " ");
  return trunc && by.length > 45 ? `${by.slice(0, 44)}…` : by;
}

export function registerHistory(program: Command): void {
  for (const parent of [program, imageGroup(program)]) {
    parent
      .command("history")
      .description("Show the history of an image")
      .argument("<image>")
      .option("--no-trunc", "do not truncate output")
      .option("-q, --quiet", "only show image IDs")
      .option("--platform <os/arch>", "of a multi-platform image, this platform's history (default: this machine's)", platformValue)
      .addOption(new Option("--format <format>", "table, json (one object per line), table TEMPLATE or a Go template").argParser(parseOutputFormat).default(parseOutputFormat("table"), "table"))
      .action(async (ref: string, opts: HistoryOptions, cmd: Command) => {
        const store = await openStore(cmd);
        const img = await store.getImage(ref, opts.platform);
        // docker's sizes: each layer unpacked, however the image arrived.
        const layers = await unpackedLayerSizes(store, img);
        // Newest first; each entry that made a layer gets that layer's size, and an instruction
        // that shares a merged layer its own bytes (from its history comment, see merge-group.ts).
        const entries = (img.config.history ?? []).map((h) => describe(h, h.empty_layer ? undefined : layers.shift())).reverse();
        const id = (k: number) => (k === 0 ? (opts.trunc ? shortId(img.configDigest) : img.configDigest) : "<missing>");
        const items = entries.map(({ h, size, comment }, k) => strictFields({ ID: id(k), CreatedAt: goRfc3339(h.created), CreatedSince: timeAgo(h.created), CreatedBy: createdBy(h, opts.trunc), Size: humanSize(size), Comment: comment }, "*formatter.historyContext"));
        if (opts.quiet && opts.format.kind === "table") {
          process.stdout.write(entries.map((_, k) => `${id(k)}\n`).join(""));
          return;
        }
        process.stdout.write(formatItems(opts.format, items, HISTORY_HEADERS, HISTORY_TABLE));
      });
  }
}
