import { lstat, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { collectGarbage, referencedBlobs } from "../../store/gc.ts";
import type { Store } from "../../store/store.ts";
import { verifyStore } from "../../store/verify.ts";
import { openStore } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { humanSize, table } from "../format.ts";
import { imageGroup } from "../image-group.ts";
import { containerUse } from "../in-use.ts";
import { registerInfo } from "./version.ts";

async function duBytes(path: string): Promise<number> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of await readdir(path)) n += await duBytes(join(path, e));
  return n;
}

async function usage(store: Store): Promise<string[][]> {
  const images = await store.refs.list();
  const keep = await referencedBlobs(store);
  let blobBytes = 0;
  let imageBytes = 0;
  for (const hex of await readdir(store.layout.blobs).catch(() => [] as string[])) {
    const size = (await stat(join(store.layout.blobs, hex))).size;
    blobBytes += size;
    if (keep.has(`sha256:${hex}`)) imageBytes += size;
  }
  const records = (await readdir(store.layout.cache).catch(() => [] as string[])).length;
  const snapshots = await duBytes(store.layout.snapshots);
  const mounts = await duBytes(join(store.layout.root, "cache-mounts"));
  return [
    ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"],
    ["Images", String(images.length), String(images.length), humanSize(imageBytes), "0B"],
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
    .action(async (_o: unknown, cmd: Command) => {
      process.stdout.write(`${table(await usage(await openStore(cmd)))}\n`);
    });
  system
    .command("prune")
    .description("Remove the build cache, cache mounts and everything no image needs")
    .action(async (_o: unknown, cmd: Command) => {
      const store = await openStore(cmd);
      const r = await collectGarbage(store, { buildCache: true, cacheMounts: true, inUse: (await containerUse(store)).layers });
      process.stdout.write(`Deleted ${r.blobs} blobs, ${r.snapshots} unpacked layers, ${r.cacheRecords} cache records\nTotal reclaimed space: ${humanSize(r.bytes)}\n`);
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
  imageGroup(program)
    .command("prune")
    .description("Remove blobs and unpacked layers that no image and no build cache record needs")
    .action(async (_o: unknown, cmd: Command) => {
      const store = await openStore(cmd);
      const r = await collectGarbage(store, { buildCache: false, cacheMounts: false, inUse: (await containerUse(store)).layers });
      process.stdout.write(`Deleted ${r.blobs} blobs, ${r.snapshots} unpacked layers\nTotal reclaimed space: ${humanSize(r.bytes)}\n`);
    });
}
