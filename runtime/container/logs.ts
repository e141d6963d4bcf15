import { open } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { Store } from "../store/store.ts";
import { type ContainerRecord, ContainerPaths } from "./state.ts";
import { containerStatus, isRunning } from "./status.ts";

async function write(chunk: Buffer): Promise<void> {
  if (process.stdout.write(chunk)) return;
  await new Promise<void>((resolve) => process.stdout.once("drain", () => resolve()));
}

/**
 * `logs [-f]`: container.log as it is; with `follow`, new output as it is
 * written, until the container's process has ended and everything is printed.
 */
export async function printLogs(store: Store, rec: ContainerRecord, follow: boolean): Promise<void> {
  const path = new ContainerPaths(store.layout.root, rec.id).log;
  const fh = await open(path, "r").catch(() => undefined);
  if (fh === undefined && !follow) return;
  const buf = Buffer.allocUnsafe(1 << 16);
  let pos = 0;
  let handle = fh;
  try {
    for (;;) {
      handle ??= await open(path, "r").catch(() => undefined);
      let got = 0;
      if (handle !== undefined) {
        for (;;) {
          const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
          if (bytesRead === 0) break;
          pos += bytesRead;
          got += bytesRead;
          await write(Buffer.from(buf.subarray(0, bytesRead)));
        }
      }
      if (!follow) return;
      if (got === 0) {
        // Checked after a read that found nothing new: output written before the end is never lost.
        if (!isRunning(await containerStatus(store, rec))) {
          const { bytesRead } = handle === undefined ? { bytesRead: 0 } : await handle.read(buf, 0, buf.length, pos);
          if (bytesRead === 0) return;
          continue;
        }
        await sleep(100);
      }
    }
  } finally {
    await handle?.close();
  }
}
