/** Helpers for docker-style `K=V` environment lists and config defaults (no zod: cheap to load). */

/** The default shell of RUN, CMD and ENTRYPOINT in shell form on Linux. */
export const DEFAULT_SHELL: readonly string[] = ["/bin/sh", "-c"];

/** The PATH docker gives a Linux image that sets none. */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Looks a variable up in a docker-style `K=V` list. */
export function envLookup(env: readonly string[] | undefined, name: string): string | undefined {
  if (env === undefined) return undefined;
  const prefix = `${name}=`;
  for (let i = env.length - 1; i >= 0; i--) {
    const e = env[i] as string;
    if (e.startsWith(prefix)) return e.slice(prefix.length);
  }
  return undefined;
}

/** Returns a new `K=V` list with `name` set, keeping the position of an existing entry. */
export function envSet(env: readonly string[] | undefined, name: string, value: string): string[] {
  const out = [...(env ?? [])];
  const prefix = `${name}=`;
  const at = out.findIndex((e) => e.startsWith(prefix));
  if (at >= 0) out[at] = `${name}=${value}`;
  else out.push(`${name}=${value}`);
  return out;
}
