import { lstat, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { referencedBlobs } from "../../store/gc.ts";
import type { Store } from "../../store/store.ts";
import { verifyStore } from "../../store/verify.ts";
import { openStore } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { containerUse } from "../in-use.ts";
import { humanSize } from "../format.ts";
import { DISK_USAGE_HEADERS, DISK_USAGE_TABLE } from "../format-fields.ts";
import { strictFields } from "../go-template/exec.ts";
import { formatItems, type OutputFormat, parseOutputFormat } from "../output-format.ts";
import { registerPrune } from "./prune.ts";
import { registerInfo } from "./version.ts";

async function duBytes(path: string): Promise<number> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of await readdir(path)) n += await duBytes(join(path, e));
  return n;
}

/** docker/cli's formatter: the size and, of a non-zero total, the whole percent. */
function reclaimable(bytes: number, total: number): string {
  return total > 0 ? `${humanSize(bytes)} (${Math.trunc((bytes * 100) / total)}%)` : humanSize(bytes);
}

/**
 * docker's counts: images by id, ACTIVE those a container uses (docker's
 * system df), RECLAIMABLE what only the others need.
 */
async function usage(store: Store): Promise<string[][]> {
  const ids = new Set(await Promise.all((await store.refs.list()).map(async (e) => (await store.loadManifest(e.descriptor)).configDigest)));
  const used = (await containerUse(store)).images;
  const active = [...ids].filter((id) => used.has(id)).length;
  const keep = await referencedBlobs(store);
  const activeKeep = await referencedBlobs(store, (id) => used.has(id));
  let blobBytes = 0;
  let imageBytes = 0;
  let activeBytes = 0;
  for (const hex of await readdir(store.layout.blobs).catch(() => [] as string[])) {
    const size = (await stat(join(store.layout.blobs, hex))).size;
    blobBytes += size;
    if (keep.has(`sha256:${hex}`)) imageBytes += size;
    if (activeKeep.has(`sha256:${hex}`)) activeBytes += size;
  }
  const records = (await readdir(store.layout.cache).catch(() => [] as string[])).length;
  const snapshots = await duBytes(store.layout.snapshots);
  const mounts = await duBytes(join(store.layout.root, "cache-mounts"));
  return [
    ["Images", String(ids.size), String(active), humanSize(imageBytes), reclaimable(imageBytes - activeBytes, imageBytes)],
    ["Build Cache", String(records), "0", humanSize(blobBytes - imageBytes), humanSize(blobBytes - imageBytes)],
    ["Unpacked layers", "-", "-", humanSize(snapshots), "-"],
    ["Cache mounts", "-", "-", humanSize(mounts), humanSize(mounts)],
  ];
}

export function registerSystem(program: Command): void {
  const system = program.command("system").description("Manage the store");
  registerInfo(system);
  system
    .command("df")
    .description("Show disk usage")
    .option("--format <format>", "table, json (one object per line), table TEMPLATE or a Go template", parseOutputFormat, parseOutputFormat("table"))
    .action(async (o: { format: OutputFormat }, cmd: Command) => {
      const rows = await usage(await openStore(cmd));
      const items = rows.map(([Type, TotalCount, Active, Size, Reclaimable]) => strictFields({ Type, TotalCount, Active, Size, Reclaimable }, "*formatter.diskUsageContext"));
      process.stdout.write(formatItems(o.format, items, DISK_USAGE_HEADERS, DISK_USAGE_TABLE));
    });
  system
    .command("verify")
    .description("Re-hash every blob and check every reference")
    .action(async (_o: unknown, cmd: Command) => {
      const problems = await verifyStore(await openStore(cmd));
      for (const p of problems) process.stdout.write(`${p}\n`);
      process.stdout.write(problems.length === 0 ? "store verified: ok\n" : `${problems.length} problems\n`);
      if (problems.length > 0) process.exitCode = ExitCode.integrity;
    });
  registerPrune(program, system);
}
