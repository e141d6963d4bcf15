/**
 * Sizes as docker prints them (go-units HumanSizeWithPrecision): decimal units, three significant
 * digits in tables ("4.26MB", "0B"), four in prune's "Total reclaimed space" (units.HumanSize).
 */
export function humanSize(bytes: number, precision = 3): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : Number(v.toPrecision(precision))}${units[i]}`;
}

/** Binary sizes as docker's stats prints memory (go-units BytesSize: "%.4g" and KiB, MiB, GiB …). */
export function bytesSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

/** "2 minutes ago", like docker's units.HumanDuration. */
export function timeAgo(iso: string | undefined, now = Date.now()): string {
  if (!iso) return "N/A";
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 1) return "Less than a second ago";
  if (s < 2) return "1 second ago";
  if (s < 60) return `${Math.floor(s)} seconds ago`;
  const m = s / 60;
  if (m < 2) return "About a minute ago";
  if (m < 60) return `${Math.floor(m)} minutes ago`;
  const h = m / 60;
  if (Math.round(h) === 1) return "About an hour ago";
  if (h < 48) return `${Math.round(h)} hours ago`;
  const d = h / 24;
  if (d < 14) return `${Math.floor(d)} days ago`;
  if (d < 60) return `${Math.floor(d / 7)} weeks ago`;
  if (d < 365 * 2) return `${Math.floor(d / 30)} months ago`;
  return `${Math.floor(d / 365)} years ago`;
}

export function shortId(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

/** A part of a prune's report: its heading and lines, then the blank line docker's Fprintln of it leaves (nothing when empty). */
export function pruneSection(heading: string, lines: readonly string[]): string {
  return lines.length === 0 ? "" : `${heading}\n${lines.map((l) => `${l}\n`).join("")}\n`;
}
