import type { Command } from "commander";
import { storeFrom } from "../context.ts";
import { humanSize, shortId, table, timeAgo } from "../format.ts";

export function registerHistory(program: Command): void {
  program
    .command("history")
    .description("Show the history of an image")
    .argument("<image>")
    .option("--no-trunc", "do not truncate output")
    .action(async (ref: string, opts: { trunc: boolean }, cmd: Command) => {
      const store = storeFrom(cmd);
      const img = await store.getImage(ref);
      const rows: string[][] = [["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"]];
      const layers = [...img.manifest.layers];
      const entries = img.config.history ?? [];
      // Newest first; sizes of the layer each non-empty entry made.
      const sized = entries.map((h) => ({ h, size: h.empty_layer ? 0 : (layers.shift()?.size ?? 0) }));
      sized.reverse().forEach(({ h, size }, k) => {
        const createdBy = h.created_by ?? "";
        const id = k === 0 ? (opts.trunc ? shortId(img.configDigest) : img.configDigest) : "<missing>";
        rows.push([id, timeAgo(h.created), opts.trunc && createdBy.length > 45 ? `${createdBy.slice(0, 44)}…` : createdBy, humanSize(size), h.comment ?? ""]);
      });
      process.stdout.write(`${table(rows)}\n`);
    });
}
