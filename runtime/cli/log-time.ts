import { parseGoDuration } from "../../compiler/dockerfile/instructions/duration.ts";
import { StrataError } from "../errors/error.ts";

/**
 * `logs --since/--until` values as docker reads them (its timetypes.GetTimestamp): a Go
 * duration is that long before now (`10m`, `1h30m`); a number is Unix seconds with an
 * optional fraction (`1700000000.5`); else an RFC 3339 date and time, its time, seconds and
 * zone optional (`2024-01-02`, `2024-01-02T15:04`, `2024-01-02T15:04:05.123Z`,
 * `…+02:00`), local time when it names no zone. In nanoseconds since the epoch.
 */
export function logTime(flag: "since" | "until", value: string, nowMs: number): bigint {
  const v = value.trim();
  if (v !== "0" && /[a-zµμ]$/.test(v) && !v.includes(":")) {
    const ns = parseGoDuration(v);
    if (ns !== undefined) return BigInt(nowMs) * 1_000_000n - BigInt(ns);
  }
  const unix = /^(\d+)(?:\.(\d{1,9}))?$/.exec(v);
  if (unix !== null) return BigInt(unix[1] as string) * 1_000_000_000n + BigInt((unix[2] ?? "").padEnd(9, "0") || "0");
  const m = /^(\d{4}-\d\d-\d\d)(?:T(\d\d)(?::(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?)?)?(Z|[+-]\d\d:\d\d)?$/.exec(v);
  if (m !== null) {
    const [, date, hh = "00", mm = "00", ss = "00", frac = "", zone] = m;
    const ms = Date.parse(`${date}T${hh}:${mm}:${ss}${zone ?? ""}`);
    if (!Number.isNaN(ms)) return BigInt(ms) * 1_000_000n + BigInt(frac.padEnd(9, "0") || "0");
  }
  throw new StrataError("CONTAINER_USAGE", `invalid value for "${flag}": failed to parse value as time or duration: "${value}"`);
}
