/** Go's time.ParseDuration, to integer nanoseconds; undefined when invalid. */
const UNITS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const PART = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;

export function parseGoDuration(s: string): number | undefined {
  let str = s;
  let sign = 1;
  if (str.startsWith("-") || str.startsWith("+")) {
    if (str[0] === "-") sign = -1;
    str = str.slice(1);
  }
  if (str === "0") return 0;
  if (str === "") return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < str.length) {
    const at = PART.lastIndex;
    const m = PART.exec(str);
    if (m === null || m.index !== at) return undefined;
    const int = m[1] ?? "";
    const frac = m[2];
    if (int === "" && (frac === undefined || frac === "")) return undefined;
    const unit = UNITS[m[3] ?? ""] ?? 0;
    total += Number(int === "" ? 0 : int) * unit;
    if (frac !== undefined && frac !== "") total += Math.round(Number(`0.${frac}`) * unit);
  }
  return sign * total;
}
