import { StrataError } from "../errors/error.ts";

/**
 * docker's `-f/--filter NAME=VALUE` (opts.FilterOpt, moby's filters.Args): each value split
 * at its first "=", repeatable, the values of one name kept together. Which names a command
 * takes is checked before any work, in moby's words ("invalid filter 'NAME'").
 */
export type Filters = ReadonlyMap<string, readonly string[]>;

/** commander parser for a repeatable -f/--filter. */
export function collectFilter(value: string, previous: Filters | undefined): Filters {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new StrataError("USAGE", `invalid argument "${value}" for "-f, --filter" flag: bad format of filter (expected name=value)`);
  const name = value.slice(0, eq).trim().toLowerCase();
  const next = new Map(previous ?? []);
  next.set(name, [...(next.get(name) ?? []), value.slice(eq + 1)]);
  return next;
}

export function checkFilterNames(filters: Filters, accepted: readonly string[]): void {
  for (const name of filters.keys()) if (!accepted.includes(name)) throw new StrataError("FILTER_INVALID", `invalid filter '${name}'`);
}

/** moby's error for a filter whose value it cannot use: invalid filter 'NAME=[V1 V2]'. */
export function invalidValue(name: string, values: readonly string[]): StrataError {
  return new StrataError("FILTER_INVALID", `invalid filter '${name}=[${values.join(" ")}]'`);
}

/** dangling=true|false: true, false, or undefined when not given. */
export function danglingFilter(filters: Filters): boolean | undefined {
  const v = filters.get("dangling");
  if (v === undefined) return undefined;
  if (v.every((x) => x.toLowerCase() === "true" || x === "1")) return true;
  if (v.every((x) => x.toLowerCase() === "false" || x === "0")) return false;
  throw invalidValue("dangling", v);
}

/** label=KEY or label=KEY=VALUE, every one matching (moby's MatchKVList); label!= every one not matching. */
export function labelsMatch(filters: Filters, labels: Readonly<Record<string, string>> | undefined): boolean {
  const has = (kv: string) => {
    const eq = kv.indexOf("=");
    const key = eq < 0 ? kv : kv.slice(0, eq);
    if (!labels || !Object.hasOwn(labels, key)) return false;
    return eq < 0 || labels[key] === kv.slice(eq + 1);
  };
  return (filters.get("label") ?? []).every(has) && !(filters.get("label!") ?? []).some(has);
}

const escapeRegExp = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Go's path.Match: `*` and `?` stop at "/", `[…]` classes (`^` negates), `\` escapes. */
export function pathMatch(pattern: string, name: string): boolean {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "\\" && i + 1 < pattern.length) re += escapeRegExp(pattern[++i] as string);
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) throw new StrataError("FILTER_INVALID", `syntax error in pattern: ${pattern}`);
      const body = pattern.slice(i + 1, end);
      const negate = body.startsWith("^");
      re += `[${negate ? "^" : ""}${(negate ? body.slice(1) : body).replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else re += escapeRegExp(c);
  }
  return new RegExp(`^${re}$`).test(name);
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * until=: docker's timetypes.GetTimestamp: a Go duration before now (10m, 1h30m, 24h), a Unix
 * time in seconds (with a fraction), or an RFC 3339 date or date-time. Milliseconds since the epoch.
 */
export function untilTime(value: string, now = Date.now()): number {
  const dur = /^((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/.test(value) ? [...value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)] : undefined;
  if (dur) return now - dur.reduce((ms, m) => ms + Number(m[1]) * (UNIT_MS[m[2] as string] as number), 0);
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(value)) {
    const t = Date.parse(value.includes("T") || value.includes(" ") ? value.replace(" ", "T") : `${value}T00:00:00`);
    if (!Number.isNaN(t)) return t;
  }
  throw new StrataError("FILTER_INVALID", `failed to parse value as time or duration: "${value}"`);
}
