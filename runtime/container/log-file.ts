/**
 * A container's log, in docker's json-file format: one JSON object per line,
 * `{"log":"text\n","stream":"stdout"|"stderr","time":"<RFC 3339, 9 fraction digits>"}`,
 * one per line the process wrote (a line longer than 16 KiB, or a partial line
 * followed by nothing for 100 ms, is an entry of its own without the newline, as
 * docker's copier splits them). The monitor writes it (monitor/log-writer.ts);
 * `logs` reads it (logs.ts). Bounded: `json.log` is rotated to `json.log.1` …
 * when it would pass LOG_MAX_BYTES, and LOG_MAX_FILES files are kept, so a
 * container's log never holds more than their product (docker's json-file with
 * `max-size=10m,max-file=3`). What is read is bounded too: a line longer than
 * LOG_MAX_LINE (only a corrupt file has one) is skipped.
 */

export type LogStream = "stdout" | "stderr";

export interface LogEntry {
  readonly log: string;
  readonly stream: LogStream;
  readonly time: string;
}

export const LOG_MAX_BYTES = 10 * 1024 * 1024;
export const LOG_MAX_FILES = 3;
/** The longest entry the monitor writes is 16 KiB of text, at most ~100 KiB of JSON. */
export const LOG_MAX_LINE = 1024 * 1024;
/** docker's copier's buffer: a longer line is split into entries of this many bytes. */
export const LOG_CHUNK = 16 * 1024;

/** The log files oldest first: `json.log.2`, `json.log.1`, `json.log`. */
export function logFiles(current: string, maxFiles = LOG_MAX_FILES): string[] {
  const out: string[] = [];
  for (let i = maxFiles - 1; i >= 1; i--) out.push(`${current}.${i}`);
  out.push(current);
  return out;
}

const epochNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** Now, in nanoseconds since the epoch (the wall clock at start-up plus the monotonic clock since). */
export function nowNs(): bigint {
  return epochNs + process.hrtime.bigint();
}

/** RFC 3339 with 9 fraction digits, UTC: docker's RFC3339NanoFixed, as `logs -t` prints it. */
export function formatNs(ns: bigint): string {
  const iso = new Date(Number(ns / 1_000_000n)).toISOString();
  return `${iso.slice(0, 19)}.${(ns % 1_000_000_000n).toString().padStart(9, "0")}Z`;
}

/** An entry's time in nanoseconds since the epoch; undefined when it is not RFC 3339. */
export function parseNs(time: string): bigint | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (m === null) return undefined;
  const ms = Date.parse(`${m[1]}${m[3] === "Z" ? "Z" : m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0") || "0");
}

/** One line of the file as an entry; undefined for anything else (a torn last line, garbage). */
export function parseEntry(line: string): LogEntry | undefined {
  try {
    const e = JSON.parse(line) as Partial<LogEntry>;
    if (typeof e.log !== "string" || (e.stream !== "stdout" && e.stream !== "stderr") || typeof e.time !== "string") return undefined;
    return { log: e.log, stream: e.stream, time: e.time };
  } catch {
    return undefined;
  }
}
