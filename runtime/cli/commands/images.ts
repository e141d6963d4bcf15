import type { Command } from "commander";
import { familiarRepo, parseName } from "../../store/names.ts";
import { storeFrom } from "../context.ts";
import { humanSize, shortId, table, timeAgo } from "../format.ts";

async function listImages(cmd: Command, opts: { quiet?: boolean; noTrunc?: boolean }): Promise<void> {
  const store = storeFrom(cmd);
  const rows: string[][] = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]];
  const ids: string[] = [];
  for (const { name, descriptor } of await store.refs.list()) {
    const img = await store.loadManifest(descriptor);
    const size = img.manifest.layers.reduce((n, l) => n + l.size, 0);
    const parsed = name ? parseName(name) : undefined;
    const id = opts.noTrunc ? img.configDigest : shortId(img.configDigest);
    ids.push(id);
    rows.push([parsed ? familiarRepo(parsed) : "<none>", parsed?.tag ?? "<none>", id, timeAgo(img.config.created), humanSize(size)]);
  }
  process.stdout.write(opts.quiet ? (ids.length ? `${[...new Set(ids)].join("\n")}\n` : "") : `${table(rows)}\n`);
}

export function registerImages(program: Command): void {
  const describe = (c: Command) =>
    c
      .description("List images")
      .option("-q, --quiet", "only show image IDs")
      .option("--no-trunc", "do not truncate output")
      .action(async (opts: { quiet?: boolean; trunc?: boolean }, cmd: Command) => listImages(cmd, { quiet: opts.quiet ?? false, noTrunc: opts.trunc === false }));
  describe(program.command("images"));
  const image = program.commands.find((c) => c.name() === "image") ?? program.command("image").description("Manage images");
  describe(image.command("ls").alias("list"));
}
