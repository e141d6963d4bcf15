import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/**
 * Registry credentials. `strata login` writes Strata's own file,
 * $HOME/.config/strata/auth.json (mode 0600), in docker's config.json shape
 * ({"auths": {"HOST": {"auth": base64("user:pass")}}}), so it can be copied
 * either way. Look-ups read it first, then docker's ~/.docker/config.json
 * (or $DOCKER_CONFIG/config.json): `auths` entries with `auth` or
 * `username`/`password`. Docker Hub is stored under
 * https://index.docker.io/v1/ as docker does. Credential helpers are not run.
 */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

interface AuthFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  [k: string]: unknown;
}

const home = () => process.env.HOME ?? homedir();
export function strataAuthPath(): string {
  return join(home(), ".config", "strata", "auth.json");
}
function dockerConfigPath(): string {
  return join(process.env.DOCKER_CONFIG ?? join(home(), ".docker"), "config.json");
}

/** The key a registry is stored under: docker.io's legacy URL, else the host[:port]. */
export function authKey(registry: string): string {
  const r = registry.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  return r === "docker.io" || r === "index.docker.io" || r === "registry-1.docker.io" ? "https://index.docker.io/v1/" : r;
}

async function readAuthFile(path: string): Promise<AuthFile> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as AuthFile;
  } catch {
    return {};
  }
}

function entryFor(file: AuthFile, registry: string): Credentials | undefined {
  const key = authKey(registry);
  const auths = file.auths ?? {};
  const e = auths[key] ?? Object.entries(auths).find(([k]) => authKey(k) === key)?.[1];
  if (!e) return undefined;
  if (e.auth) {
    const text = Buffer.from(e.auth, "base64").toString("utf8");
    const i = text.indexOf(":");
    if (i > 0) return { username: text.slice(0, i), password: text.slice(i + 1) };
  }
  if (e.username && e.password) return { username: e.username, password: e.password };
  return undefined;
}

export async function credentialsFor(registry: string): Promise<Credentials | undefined> {
  return entryFor(await readAuthFile(strataAuthPath()), registry) ?? entryFor(await readAuthFile(dockerConfigPath()), registry);
}

async function writeAuthFile(file: AuthFile): Promise<void> {
  const path = strataAuthPath();
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flush: true });
  await rename(tmp, path);
}

export async function saveCredentials(registry: string, c: Credentials): Promise<void> {
  const file = await readAuthFile(strataAuthPath());
  file.auths = { ...(file.auths ?? {}), [authKey(registry)]: { auth: Buffer.from(`${c.username}:${c.password}`).toString("base64") } };
  await writeAuthFile(file);
}

/** Removes the stored login; false when there was none. */
export async function removeCredentials(registry: string): Promise<boolean> {
  const file = await readAuthFile(strataAuthPath());
  const key = authKey(registry);
  if (!file.auths?.[key]) return false;
  delete file.auths[key];
  await writeAuthFile(file);
  return true;
}
