import { StrataError } from "../errors/error.ts";
import { parseName } from "../store/names.ts";

/** commander helper for repeatable options (`-t a -t b`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--build-arg K=V` values; a bare `K` takes the value of the environment variable K, as docker does. */
export function parseBuildArgs(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf("=");
    if (eq > 0) out[kv.slice(0, eq)] = kv.slice(eq + 1);
    else if (process.env[kv] !== undefined) out[kv] = process.env[kv] as string;
  }
  return out;
}

/** The --insecure-registry hosts: the option's values plus STRATA_INSECURE_REGISTRIES (comma-separated), the CLI's default for them. */
export function insecureRegistries(fromOptions: readonly string[] | undefined): string[] {
  const env = (process.env.STRATA_INSECURE_REGISTRIES ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  return [...(fromOptions ?? []), ...env];
}

/**
 * A commander parser for an option or argument that names an image (`-t`, tag's target, push's
 * destination): the reference is checked as the command line is read, before any work, and a
 * bad one is a one-line USAGE error (exit 2) naming the flag or argument.
 */
export function imageReference(what: string): (value: string) => string {
  return (value) => {
    // docker's rule too: 64 hex digits are an image ID, never a name.
    if (/^[a-f0-9]{64}$/.test(value)) throw new StrataError("USAGE", `${what}: invalid repository name "${value}": 64 hexadecimal digits are an image ID, not a name`);
    try {
      parseName(value);
    } catch (e) {
      throw new StrataError("USAGE", `${what}: ${(e as Error).message}`);
    }
    return value;
  };
}

/** imageReference for a repeatable option (`-t a -t b`). */
export function imageReferences(what: string): (value: string, previous: string[]) => string[] {
  const check = imageReference(what);
  return (value, previous) => collect(check(value), previous);
}
