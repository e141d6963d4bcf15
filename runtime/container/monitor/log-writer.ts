import { closeSync, fstatSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { formatNs, LOG_CHUNK, LOG_MAX_BYTES, LOG_MAX_FILES, type LogStream, logFiles, nowNs } from "../log-file.ts";

/** How long a partial line waits for the rest before it is written as an entry of its own. */
const PARTIAL_FLUSH_MS = 100;

export interface LogLimits {
  readonly maxBytes: number;
  readonly maxFiles: number;
}

/**
 * Writes a container's output as json-file entries (../log-file.ts): each
 * stream split into lines, a partial line held until its newline, 16 KiB, or
 * 100 ms of quiet. Writes are synchronous appends to a file the monitor alone
 * writes; before an entry would take the file past `maxBytes` the files are
 * rotated (json.log → json.log.1 → …, the oldest dropped).
 */
export class JsonLogWriter {
  #fd: number;
  #size: number;
  readonly #pending: Record<LogStream, Buffer[]> = { stdout: [], stderr: [] };
  readonly #timers: Record<LogStream, NodeJS.Timeout | undefined> = { stdout: undefined, stderr: undefined };

  readonly path: string;
  readonly limits: LogLimits;

  constructor(path: string, limits: LogLimits = { maxBytes: LOG_MAX_BYTES, maxFiles: LOG_MAX_FILES }) {
    this.path = path;
    this.limits = limits;
    this.#fd = openSync(path, "a", 0o640);
    this.#size = fstatSync(this.#fd).size;
  }

  write(stream: LogStream, chunk: Buffer): void {
    let rest = chunk;
    for (let nl = rest.indexOf(10); nl >= 0; nl = rest.indexOf(10)) {
      this.#pending[stream].push(rest.subarray(0, nl + 1));
      this.#flush(stream);
      rest = rest.subarray(nl + 1);
    }
    if (rest.length === 0) return;
    this.#pending[stream].push(Buffer.from(rest));
    if (this.#pendingBytes(stream) >= LOG_CHUNK) this.#flush(stream);
    else {
      clearTimeout(this.#timers[stream]);
      this.#timers[stream] = setTimeout(() => this.#flush(stream), PARTIAL_FLUSH_MS);
    }
  }

  /** Writes what is held (the streams' partial lines) and closes the file. */
  close(): void {
    this.#flush("stdout");
    this.#flush("stderr");
    closeSync(this.#fd);
  }

  #pendingBytes(stream: LogStream): number {
    return this.#pending[stream].reduce((n, b) => n + b.length, 0);
  }

  #flush(stream: LogStream): void {
    clearTimeout(this.#timers[stream]);
    this.#timers[stream] = undefined;
    const data = Buffer.concat(this.#pending[stream]);
    this.#pending[stream] = [];
    for (let at = 0; at < data.length; at += LOG_CHUNK) this.#entry(stream, data.subarray(at, at + LOG_CHUNK));
  }

  #entry(stream: LogStream, text: Buffer): void {
    const line = Buffer.from(`${JSON.stringify({ log: text.toString("utf8"), stream, time: formatNs(nowNs()) })}\n`);
    if (this.#size > 0 && this.#size + line.length > this.limits.maxBytes) this.#rotate();
    writeSync(this.#fd, line);
    this.#size += line.length;
  }

  #rotate(): void {
    closeSync(this.#fd);
    const files = logFiles(this.path, this.limits.maxFiles);
    if (files.length === 1) rmSync(this.path, { force: true });
    for (let i = 1; i < files.length; i++) {
      try {
        renameSync(files[i] as string, files[i - 1] as string);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      }
    }
    this.#fd = openSync(this.path, "a", 0o640);
    this.#size = 0;
  }
}
