import { type FileHandle, open, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { Store } from "../store/store.ts";
import { formatNs, LOG_MAX_LINE, type LogEntry, logFiles, parseEntry, parseNs } from "./log-file.ts";
import { type ContainerRecord, ContainerPaths } from "./state.ts";
import { containerStatus, isRunning } from "./status.ts";

export interface LogsOptions {
  /** Keep printing new output until the container stops (`-f`). */
  readonly follow?: boolean;
  /** Only the last N entries (`--tail N`); all when undefined. */
  readonly tail?: number | undefined;
  /** Only entries at or after / at or before these times, nanoseconds since the epoch (`--since`, `--until`). */
  readonly since?: bigint | undefined;
  readonly until?: bigint | undefined;
  /** Each entry after its time (`-t`). */
  readonly timestamps?: boolean;
}

async function write(out: NodeJS.WriteStream, chunk: string | Buffer): Promise<void> {
  if (out.write(chunk)) return;
  await new Promise<void>((resolve) => out.once("drain", () => resolve()));
}

/** A file read line by line from an offset; a line longer than LOG_MAX_LINE is skipped whole. */
class LineReader {
  #pos = 0;
  #partial = "";
  #skipping = false;
  readonly #buf = Buffer.allocUnsafe(1 << 16);
  readonly fh: FileHandle;
  constructor(fh: FileHandle) {
    this.fh = fh;
  }

  /** Every complete line from where it stopped to the end of the file as it is now. */
  async read(onLine: (line: string) => Promise<void>): Promise<number> {
    let lines = 0;
    for (;;) {
      const { bytesRead } = await this.fh.read(this.#buf, 0, this.#buf.length, this.#pos);
      if (bytesRead === 0) return lines;
      this.#pos += bytesRead;
      let text = this.#partial + this.#buf.toString("utf8", 0, bytesRead);
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n")) {
        const line = text.slice(0, nl);
        text = text.slice(nl + 1);
        if (!this.#skipping) {
          lines++;
          await onLine(line);
        }
        this.#skipping = false;
      }
      if (text.length > LOG_MAX_LINE) {
        this.#skipping = true;
        text = "";
      }
      this.#partial = text;
    }
  }
}

/**
 * `logs`: a container's output from its json-file log (log-file.ts), every rotated file
 * oldest first, stdout to stdout and stderr to stderr. With `follow`, new output as it is
 * written (through rotations and restarts) until the container stops and all is printed.
 * A container made before the streams were kept apart has only container.log: printed as
 * it is, to stdout.
 */
export async function printLogs(store: Store, rec: ContainerRecord, o: LogsOptions = {}): Promise<void> {
  const paths = new ContainerPaths(store.layout.root, rec.id);
  if ((await stat(paths.jsonLog).catch(() => undefined)) === undefined && (await stat(paths.log).catch(() => undefined)) !== undefined) {
    await printRawLog(store, rec, o.follow ?? false);
    return;
  }
  const tail: LogEntry[] = [];
  const wanted = (e: LogEntry): boolean => {
    if (o.since === undefined && o.until === undefined) return true;
    const t = parseNs(e.time);
    if (t === undefined) return false;
    return (o.since === undefined || t >= o.since) && (o.until === undefined || t <= o.until);
  };
  const print = async (e: LogEntry): Promise<void> => {
    const out = e.stream === "stderr" ? process.stderr : process.stdout;
    if (o.timestamps) {
      const t = parseNs(e.time);
      await write(out, `${t === undefined ? e.time : formatNs(t)} ${e.log}`);
    } else await write(out, e.log);
  };
  const onLine = async (line: string): Promise<void> => {
    const e = parseEntry(line);
    if (e === undefined || !wanted(e)) return;
    if (o.tail === undefined) await print(e);
    else if (o.tail > 0) {
      tail.push(e);
      if (tail.length > o.tail) tail.shift();
    }
  };
  const files = logFiles(paths.jsonLog);
  for (const f of files.slice(0, -1)) {
    const fh = await open(f, "r").catch(() => undefined);
    if (fh === undefined) continue;
    try {
      await new LineReader(fh).read(onLine);
    } finally {
      await fh.close();
    }
  }
  let fh = await open(paths.jsonLog, "r").catch(() => undefined);
  let reader = fh === undefined ? undefined : new LineReader(fh);
  try {
    if (reader !== undefined) await reader.read(onLine);
    for (const e of tail.splice(0)) await print(e);
    if (!o.follow) return;
    const live = async (line: string): Promise<void> => {
      const e = parseEntry(line);
      if (e !== undefined && wanted(e)) await print(e);
    };
    for (;;) {
      const got = reader === undefined ? 0 : await reader.read(live);
      // Rotated: what the old file still held is read above; the new file is read from its start.
      const now = await stat(paths.jsonLog).catch(() => undefined);
      if (now !== undefined && (fh === undefined || now.ino !== (await fh.stat()).ino)) {
        if (reader !== undefined) await reader.read(live);
        await fh?.close();
        fh = await open(paths.jsonLog, "r");
        reader = new LineReader(fh);
        continue;
      }
      if (got === 0) {
        // Checked after a read that found nothing new: output written before the end is never lost.
        if (!isRunning(await containerStatus(store, rec))) {
          if (reader === undefined || (await reader.read(live)) === 0) return;
          continue;
        }
        await sleep(100);
      }
    }
  } finally {
    await fh?.close();
  }
}

/** container.log as it is (containers from before json.log); with `follow`, until the container stops. */
async function printRawLog(store: Store, rec: ContainerRecord, follow: boolean): Promise<void> {
  const fh = await open(new ContainerPaths(store.layout.root, rec.id).log, "r");
  const buf = Buffer.allocUnsafe(1 << 16);
  let pos = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        await write(process.stdout, Buffer.from(buf.subarray(0, bytesRead)));
        continue;
      }
      if (!follow || !isRunning(await containerStatus(store, rec))) return;
      await sleep(100);
    }
  } finally {
    await fh.close();
  }
}
