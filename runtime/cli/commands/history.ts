import type { Command } from "commander";
import { Option } from "commander";
import { openStore } from "../context.ts";
import { humanSize, shortId, table, timeAgo } from "../format.ts";
import { imageGroup } from "../image-group.ts";

interface HistoryOptions {
  trunc: boolean;
  quiet?: boolean;
  format: "table" | "json";
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
        const layers = [...img.manifest.layers];
        // Newest first; each entry that made a layer gets that layer's size.
        const entries = (img.config.history ?? []).map((h) => ({ h, size: h.empty_layer ? 0 : (layers.shift()?.size ?? 0) })).reverse();
        const id = (k: number) => (k === 0 ? (opts.trunc ? shortId(img.configDigest) : img.configDigest) : "<missing>");
        if (opts.quiet) {
          process.stdout.write(entries.map((_, k) => `${id(k)}\n`).join(""));
          return;
        }
        if (opts.format === "json") {
          const rows = entries.map(({ h, size }, k) => ({ ID: id(k), CreatedAt: h.created ?? "", CreatedSince: timeAgo(h.created), CreatedBy: h.created_by ?? "", Size: humanSize(size), Comment: h.comment ?? "" }));
          process.stdout.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
          return;
        }
        const rows = entries.map(({ h, size }, k) => {
          const by = h.created_by ?? "";
          return [id(k), timeAgo(h.created), opts.trunc && by.length > 45 ? `${by.slice(0, 44)}…` : by, humanSize(size), h.comment ?? ""];
        });
        process.stdout.write(`${table([["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"], ...rows])}\n`);
      });
  }
}
