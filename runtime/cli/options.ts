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
