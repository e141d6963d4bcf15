import { type AuthEntry, type DockerConfig, dockerConfigPath, legacyAuthPath, readDockerConfig, writeDockerConfig } from "./docker-config.ts";
import { helperErase, helperGet, helperStore } from "./cred-helper.ts";

/**
 * Registry credentials, kept the docker way (docker-config.ts): in $DOCKER_CONFIG/config.json
 * (default ~/.docker/config.json), through the registry's `credHelpers` helper or the
 * `credsStore` one when the file names one (cred-helper.ts), else in `auths` as
 * base64("user:pass"). Docker Hub is stored under https://index.docker.io/v1/ as docker does.
 * Logins an older Strata kept in ~/.config/strata/auth.json (the same shape) are still read,
 * after docker's file, and never written.
 */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** The key a registry is stored under: docker.io's legacy URL, else the host[:port] (docker's ConvertToHostname). */
export function authKey(registry: string): string {
  const r = registry.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  return r === "docker.io" || r === "index.docker.io" || r === "registry-1.docker.io" ? "https://index.docker.io/v1/" : r;
}

function lookup<T>(map: Record<string, T> | undefined, key: string): T | undefined {
  if (!map) return undefined;
  return map[key] ?? Object.entries(map).find(([k]) => authKey(k) === key)?.[1];
}

/** The helper that keeps `key`'s credentials: its credHelpers entry, else credsStore. */
function helperFor(config: DockerConfig, key: string): string | undefined {
  return lookup(config.credHelpers, key) ?? (config.credsStore || undefined);
}

function decode(e: AuthEntry | undefined): Credentials | undefined {
  if (!e) return undefined;
  if (e.auth) {
    const text = Buffer.from(e.auth, "base64").toString("utf8");
    const i = text.indexOf(":");
    if (i > 0) return { username: text.slice(0, i), password: text.slice(i + 1) };
  }
  if (e.username && e.password) return { username: e.username, password: e.password };
  return undefined;
}

/** A file that cannot be read is warned about and skipped, as docker does when it loads its config. */
async function readLenient(path: string): Promise<DockerConfig> {
  try {
    return await readDockerConfig(path);
  } catch (e) {
    process.stderr.write(`WARNING: Error loading config file: ${(e as Error).message}\n`);
    return {};
  }
}

export async function credentialsFor(registry: string): Promise<Credentials | undefined> {
  const key = authKey(registry);
  const config = await readLenient(dockerConfigPath());
  const helper = helperFor(config, key);
  const fromHelper = helper ? await helperGet(helper, key) : undefined;
  return fromHelper ?? decode(lookup(config.auths, key)) ?? decode(lookup((await readLenient(legacyAuthPath())).auths, key));
}

/** Stores a login: through the registry's helper if the config names one, else in `auths`. */
export async function saveCredentials(registry: string, c: Credentials): Promise<void> {
  const key = authKey(registry);
  const path = dockerConfigPath();
  const config = await readDockerConfig(path);
  const helper = helperFor(config, key);
  if (helper) await helperStore(helper, key, c);
  // With a helper docker keeps an empty entry, so `auths` still lists the registry.
  const entry: AuthEntry = helper ? {} : { auth: Buffer.from(`${c.username}:${c.password}`).toString("base64") };
  const auths = Object.fromEntries(Object.entries(config.auths ?? {}).filter(([k]) => authKey(k) !== key));
  await writeDockerConfig(path, { ...config, auths: { ...auths, [key]: entry } });
}

/**
 * Forgets `registry`'s login: its `auths` entries (any spelling of the host) and the helper's.
 * Returns whether the read-only legacy file still holds a login for it.
 */
export async function removeCredentials(registry: string): Promise<{ legacyKept: boolean }> {
  const key = authKey(registry);
  const path = dockerConfigPath();
  const config = await readDockerConfig(path);
  const helper = helperFor(config, key);
  if (helper) await helperErase(helper, key);
  const auths = config.auths ?? {};
  const kept = Object.fromEntries(Object.entries(auths).filter(([k]) => authKey(k) !== key));
  if (Object.keys(kept).length !== Object.keys(auths).length) await writeDockerConfig(path, { ...config, auths: kept });
  return { legacyKept: decode(lookup((await readLenient(legacyAuthPath())).auths, key)) !== undefined };
}
