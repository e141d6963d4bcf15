import { StrataError } from "../../errors/error.ts";

/**
 * A buildx-style `key=value,key=value` option value (`--output`, `--cache-from`, `--cache-to`)
 * as a map; a key outside `known` (per the spec's type) is a USAGE error naming the flag, the
 * value and the key, as the command line is read — before any work.
 */
export function csvSpec(flag: string, spec: string, known: readonly string[]): Map<string, string> {
  const kv = new Map<string, string>();
  for (const field of spec.split(",")) {
    const eq = field.indexOf("=");
    if (eq <= 0) throw new StrataError("USAGE", `${flag} ${spec}: invalid value "${field}": expected key=value`);
    const key = field.slice(0, eq).trim().toLowerCase();
    if (!known.includes(key)) throw new StrataError("USAGE", `${flag} ${spec}: unknown key "${key}" (known: ${known.join(", ")})`);
    kv.set(key, field.slice(eq + 1));
  }
  return kv;
}

/** The `type=` field's value, before the other keys are known (they depend on it); undefined without one. */
export function specType(spec: string): string | undefined {
  const t = spec.split(",").find((f) => f.trim().toLowerCase().startsWith("type="));
  return t === undefined ? undefined : t.slice(t.indexOf("=") + 1);
}

/** One of `choices` for `key`, or a USAGE error listing them. */
export function choice<T extends string>(flag: string, spec: string, key: string, value: string | undefined, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new StrataError("USAGE", `${flag} ${spec}: invalid ${key} "${value}" (allowed: ${choices.join(", ")})`);
}

/** A key that must be there. */
export function required(flag: string, spec: string, kv: ReadonlyMap<string, string>, key: string): string {
  const v = kv.get(key);
  if (!v) throw new StrataError("USAGE", `${flag} ${spec}: missing ${key}=`);
  return v;
}
