/**
 * The subordinate id ranges of /etc/subuid and /etc/subgid (shadow's subuid(5)): `name:start:count`
 * per line, the name a login name or a numeric uid. A rootless namespace maps the user to 0 and one
 * range to 1 … count, so images whose files belong to uid 0 … 65535 keep that ownership in layers:
 * only a range of 65536 ids or more will do.
 */
import { readFileSync } from "node:fs";

/** The ids a rootless namespace maps beside the user's own: 1 … 65536 inside. */
export const NEEDED_IDS = 65536;

export interface IdRange {
  readonly start: number;
  readonly count: number;
}

/** Every range of `file` given to `name` or `uid` (in file order); [] for a missing file. */
export function rangesOf(file: string, name: string, uid: number): IdRange[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const out: IdRange[] = [];
  for (const line of text.split("\n")) {
    const [who, start, count] = line.trim().split(":");
    if (who === undefined || start === undefined || count === undefined) continue;
    if (who !== name && who !== String(uid)) continue;
    const s = Number(start);
    const c = Number(count);
    if (Number.isSafeInteger(s) && Number.isSafeInteger(c) && s >= 0 && c > 0) out.push({ start: s, count: c });
  }
  return out;
}

/** The first range of at least NEEDED_IDS ids, or undefined. */
export function usableRange(ranges: readonly IdRange[]): IdRange | undefined {
  return ranges.find((r) => r.count >= NEEDED_IDS);
}
