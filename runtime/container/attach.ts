/**
 * `attach` and `start -a`: this terminal joined to a detached container's stdio until its
 * process ends, with the container's exit code as the result.
 *
 * Built on what the container's monitor keeps (start.ts): the output is container.log, read as
 * it grows from where attaching began (`start -a` begins before the start, so nothing is
 * missed); with `stdin`, this process's input goes to the container's stdin fifo (a container
 * started with -i); SIGINT and SIGTERM are passed on to the container (docker's --sig-proxy).
 * One module on purpose: a monitor that serves attach over a socket replaces only this file.
 */
import { createWriteStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Store } from "../store/store.ts";
import { runcKill } from "./runc-ops.ts";
import { readExit } from "./start.ts";
import { type ContainerRecord, ContainerPaths, runcId } from "./state.ts";
import { containerStatus, isRunning } from "./status.ts";

export interface AttachOptions {
  /** Pass this process's stdin to the container's (it must have been created with -i). */
  readonly stdin: boolean;
  /** Where in the log to begin (default: its end now, as docker's attach shows only what comes). */
  readonly from?: number;
  /** Pass SIGINT/SIGTERM on to the container (default true). */
  readonly sigProxy?: boolean;
}

/** The container log's size now: where a `start -a` begins. */
export async function logOffset(store: Store, rec: ContainerRecord): Promise<number> {
  return (await stat(new ContainerPaths(store.layout.root, rec.id).log).catch(() => undefined))?.size ?? 0;
}

async function write(chunk: Buffer): Promise<void> {
  if (process.stdout.write(chunk)) return;
  await new Promise<void>((resolve) => process.stdout.once("drain", () => resolve()));
}

/** Joins this process to the container until its process ends; resolves with its exit code. */
export async function attachContainer(store: Store, rec: ContainerRecord, o: AttachOptions): Promise<number> {
  const paths = new ContainerPaths(store.layout.root, rec.id);
  let pos = o.from ?? (await logOffset(store, rec));
  const forward = (sig: NodeJS.Signals): void => {
    void runcKill(store.layout.runc, runcId(rec.id), sig);
  };
  if (o.sigProxy ?? true) {
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
  }
  let input: NodeJS.WritableStream | undefined;
  if (o.stdin && rec.interactive) {
    // The monitor holds the fifo open for reading and writing, so opening it never blocks.
    input = createWriteStream(join(paths.dir, "stdin"), { flags: "a" });
    input.on("error", () => undefined);
    process.stdin.pipe(input, { end: false });
  }
  const buf = Buffer.allocUnsafe(1 << 16);
  const fh = await open(paths.log, "r").catch(() => undefined);
  try {
    const drain = async (): Promise<number> => {
      let got = 0;
      for (let n = -1; fh !== undefined && n !== 0; ) {
        n = (await fh.read(buf, 0, buf.length, pos)).bytesRead;
        pos += n;
        got += n;
        if (n > 0) await write(Buffer.from(buf.subarray(0, n)));
      }
      return got;
    };
    for (;;) {
      if ((await drain()) > 0) continue;
      // Looked at after a read that found nothing: output written before the end is never lost.
      if (!isRunning(await containerStatus(store, rec))) {
        await drain();
        break;
      }
      await sleep(50);
    }
    return (await readExit(store, rec.id))?.code ?? 0;
  } finally {
    await fh?.close();
    if (input !== undefined) {
      process.stdin.unpipe(input);
      process.stdin.pause();
      input.end();
    }
    process.removeListener("SIGINT", forward);
    process.removeListener("SIGTERM", forward);
  }
}
