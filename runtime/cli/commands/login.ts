import type { Command } from "commander";
import { authKey, type Credentials, credentialsFor, removeCredentials, saveCredentials } from "../../registry/auth.ts";
import { RegistryClient } from "../../registry/client.ts";
import { dockerConfigPath, legacyAuthPath } from "../../registry/docker-config.ts";
import { RegistryError } from "../../registry/errors.ts";
import { StrataError } from "../../errors/error.ts";
import { collect, insecureRegistries } from "../options.ts";
import { ask } from "../prompt.ts";

/** docker login's default server (docker/cli registry.IndexServer). */
const INDEX_SERVER = "https://index.docker.io/v1/";

interface LoginOptions {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  insecureRegistry: string[];
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  // docker trims one trailing "\n", then one "\r".
  return Buffer.concat(chunks).toString("utf8").replace(/\n$/, "").replace(/\r$/, "");
}

/** docker's verifyLoginOptions and PromptUserForCredentials, in its words. */
async function credentialsFrom(opts: LoginOptions, defaultUsername: string | undefined): Promise<Credentials> {
  let password = opts.password;
  if (password) {
    process.stderr.write("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
    if (opts.passwordStdin) throw new StrataError("USAGE", "--password and --password-stdin are mutually exclusive");
  }
  if (opts.passwordStdin) {
    if (!opts.username) throw new StrataError("USAGE", "Must provide --username with --password-stdin");
    password = await readStdin();
  }
  let username = opts.username;
  if ((!username || !password) && !process.stdin.isTTY) throw new StrataError("CREDENTIALS_MISSING", "Cannot perform an interactive login from a non TTY device");
  // The stored login's user is offered, as docker's "Username (alice): ".
  if (!username) username = (await ask(defaultUsername ? `Username (${defaultUsername}): ` : "Username: ")) || defaultUsername;
  if (!username) throw new StrataError("CREDENTIALS_MISSING", "Non-null Username Required");
  if (!password) password = await ask("Password: ", { hidden: true });
  if (!password) throw new StrataError("CREDENTIALS_MISSING", "Password Required");
  return { username, password };
}

async function verify(key: string, credentials: Credentials, insecure: string[]): Promise<void> {
  const api = key === INDEX_SERVER ? "registry-1.docker.io" : key;
  const client = new RegistryClient(api, { insecure: insecureRegistries(insecure), credentials, attempts: 2 });
  try {
    const r = await client.request("GET", "/v2/", { scopes: [] });
    await r.body.dump();
  } finally {
    await client.close();
  }
}

/**
 * docker login with no -u/-p tries the stored login first (loginWithStoredCredentials); when the
 * registry refuses it, it says so on stderr and asks as usual. Whether it logged in, and the stored user.
 */
async function storedLogin(key: string, insecure: string[]): Promise<{ done: boolean; username?: string }> {
  const stored = await credentialsFor(key);
  if (!stored) return { done: false };
  process.stdout.write(`Authenticating with existing credentials... [Username: ${stored.username}]\nTo login with a different account, run 'strata logout' followed by 'strata login'\n\n`);
  try {
    await verify(key, stored, insecure);
  } catch (e) {
    process.stderr.write(e instanceof RegistryError && e.status === 401 ? "Stored credentials invalid or expired\n" : `Login did not succeed, error: ${(e as Error).message}\n`);
    return { done: false, username: stored.username };
  }
  await saveCredentials(key, stored);
  process.stdout.write("Login Succeeded\n");
  return { done: true };
}

export function registerLogin(program: Command): void {
  program
    .command("login")
    .description(`Log in to a registry (default Docker Hub); the login is kept as docker keeps it: ${dockerConfigPath().replace(process.env.HOME ?? "~", "~")}, or its credsStore / credHelpers helper`)
    .argument("[server]", "registry host[:port]")
    .option("-u, --username <user>", "user name (asked on a terminal when not given)")
    .option("-p, --password <password>", "password (insecure: prefer --password-stdin)")
    .option("--password-stdin", "read the password from standard input")
    .option("--insecure-registry <host>", "allow plain HTTP to this registry; repeatable", collect, [])
    .action(async (server: string | undefined, opts: LoginOptions) => {
      const key = authKey(server ?? INDEX_SERVER);
      const stored = !opts.username && !opts.password && !opts.passwordStdin ? await storedLogin(key, opts.insecureRegistry) : { done: false };
      if (stored.done) return;
      const credentials = await credentialsFrom(opts, stored.username);
      await verify(key, credentials, opts.insecureRegistry);
      await saveCredentials(key, credentials);
      process.stdout.write("Login Succeeded\n");
    });
}

export function registerLogout(program: Command): void {
  program
    .command("logout")
    .description("Forget the login for a registry (default Docker Hub)")
    .argument("[server]", "registry host[:port]")
    .action(async (server: string | undefined) => {
      const key = authKey(server ?? INDEX_SERVER);
      process.stdout.write(`Removing login credentials for ${key}\n`);
      const { legacyKept } = await removeCredentials(key);
      if (legacyKept) process.stderr.write(`WARNING: ${legacyAuthPath()} (written by an older Strata, read-only now) still holds a login for ${key}: remove it there\n`);
    });
}
