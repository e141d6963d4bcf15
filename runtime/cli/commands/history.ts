import type { Command } from "commander";
import { Option } from "commander";
import { openStore } from "../context.ts";
import { humanSize, shortId, table, timeAgo } from "../format.ts";
import { imageGroup } from "../image-group.ts";
import { unpackedLayerSizes } from "../../image/unpacked-size.ts";
import { parseMergedComment } from "../../engine/exec/merge-group.ts";
import type { HistoryEntry } from "../../store/oci.ts";

interface HistoryOptions {
  trunc: boolean;
  quiet?: boolean;
  format: "table" | "json";
}

/** One history row: its size (an instruction's own bytes when it shares a merged layer) and comment. */
function describe(h: HistoryEntry, layerSize: number | undefined): { h: HistoryEntry; size: number; comment: string } {
  const part = parseMergedComment(h.comment);
  if (part === undefined) return { h, size: layerSize ?? 0, comment: h.comment ?? "" };
  const all = layerSize === undefined ? "" : `, ${humanSize(layerSize)} in all`;
  return { h, size: part.size, comment: `shares one layer: ${part.k} of ${part.n}${all}` };
}

export function registerHistory(program: Command): void {
  for (const parent of [program, imageGroup(program)]) {
    parent
      .command("history")
      .description("Show the history of an image")
      .argument("<image>")
      .option("--no-trunc", "do not truncate output")
      .option("-q, --quiet", "only show image IDs")
      .addOption(new Option("--format <format>", "table or json (one object per line)").choices(["table", "json"]).default("table"))
      .action(async (ref: string, opts: HistoryOptions, cmd: Command) => {
        const store = await openStore(cmd);
        const img = await store.getImage(ref);
        // docker's sizes: each layer unpacked, however the image arrived.
        const layers = await unpackedLayerSizes(store, img);
        // Newest first; each entry that made a layer gets that layer's size, and an instruction
        // that shares a merged layer its own bytes (from its history comment, see merge-group.ts).
        const entries = (img.config.history ?? []).map((h) => describe(h, h.empty_layer ? undefined : layers.shift())).reverse();
        const id = (k: number) => (k === 0 ? (opts.trunc ? shortId(img.configDigest) : img.configDigest) : "<missing>");
        if (opts.quiet) {
          process.stdout.write(entries.map((_, k) => `${id(k)}\n`).join(""));
          return;
        }
        if (opts.format === "json") {
          const rows = entries.map(({ h, size, comment }, k) => ({ ID: id(k), CreatedAt: h.created ?? "", CreatedSince: timeAgo(h.created), CreatedBy: h.created_by ?? "", Size: humanSize(size), Comment: comment }));
          process.stdout.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
          return;
        }
        const rows = entries.map(({ h, size, comment }, k) => {
          const by = h.created_by ?? "";
          return [id(k), timeAgo(h.created), opts.trunc && by.length > 45 ? `${by.slice(0, 44)}…` : by, humanSize(size), comment];
        });
        process.stdout.write(`${table([["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"], ...rows])}\n`);
      });
  }
}
