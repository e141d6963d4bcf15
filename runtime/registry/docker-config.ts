import { mkdir, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { StrataError } from "../errors/error.ts";
import { atomicWrite } from "../fs/atomic-write.ts";

/**
 * docker's client configuration, $DOCKER_CONFIG/config.json (default ~/.docker/config.json),
 * the file `docker login` reads and writes: `auths` (base64 "user:pass" per registry),
 * `credsStore` (a docker-credential-<name> helper for every registry) and `credHelpers`
 * (a helper per registry). Other keys are kept as they are when Strata writes it.
 */
export interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

export interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

const home = () => process.env.HOME ?? homedir();

export function dockerConfigPath(): string {
  return join(process.env.DOCKER_CONFIG ?? join(home(), ".docker"), "config.json");
}

/** Strata's own file before it used docker's: read for the logins kept there, never written. */
export function legacyAuthPath(): string {
  return join(home(), ".config", "strata", "auth.json");
}

/** The file's contents; {} when it does not exist. A file that is not a JSON object is an error naming it. */
export async function readDockerConfig(path: string): Promise<DockerConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw e;
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) return v as DockerConfig;
  } catch {
    // reported below
  }
  throw new StrataError("CREDENTIALS_CONFIG", `${path}: not a docker config file (a JSON object is expected)`);
}

/** Writes the file whole (temp file, rename), mode 0600 in a 0700 directory, as docker does. */
export async function writeDockerConfig(path: string, config: DockerConfig): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await atomicWrite(path, `${JSON.stringify(config, null, "\t")}\n`, dir, 0o600);
}
