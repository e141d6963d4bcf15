import type { Command } from "commander";
import { authKey, removeCredentials, saveCredentials, strataAuthPath } from "../../registry/auth.ts";
import { RegistryClient } from "../../registry/client.ts";
import { collect, insecureRegistries } from "../options.ts";
import { StrataError } from "../../errors/error.ts";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

function hostOf(server: string): string {
  const h = server.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  return h === "index.docker.io" ? "docker.io" : h;
}

export function registerLogin(program: Command): void {
  program
    .command("login")
    .description(`Log in to a registry (credentials kept in ${strataAuthPath().replace(process.env.HOME ?? "~", "$HOME")}, docker's format; ~/.docker/config.json is also read)`)
    .argument("<server>", "registry host[:port]")
    .option("-u, --username <user>", "user name")
    .option("-p, --password <password>", "password (prefer --password-stdin)")
    .option("--password-stdin", "read the password from standard input")
    .option("--insecure-registry <host>", "allow plain HTTP to this registry; repeatable", collect, [])
    .action(async (server: string, opts: { username?: string; password?: string; passwordStdin?: boolean; insecureRegistry: string[] }) => {
      const host = hostOf(server);
      if (!opts.username) throw new StrataError("CREDENTIALS_MISSING", "login: --username is required");
      const password = opts.passwordStdin ? await readStdin() : opts.password;
      if (password === undefined || password === "") throw new StrataError("CREDENTIALS_MISSING", "login: give the password with --password-stdin (or -p)");
      const api = host === "docker.io" ? "registry-1.docker.io" : host;
      const client = new RegistryClient(api, { insecure: insecureRegistries(opts.insecureRegistry), credentials: { username: opts.username, password }, attempts: 2 });
      try {
        const r = await client.request("GET", "/v2/", { scopes: [] });
        await r.body.dump();
      } finally {
        await client.close();
      }
      await saveCredentials(host, { username: opts.username, password });
      process.stdout.write("Login Succeeded\n");
    });
}

export function registerLogout(program: Command): void {
  program
    .command("logout")
    .description("Forget the stored login for a registry")
    .argument("<server>", "registry host[:port]")
    .action(async (server: string) => {
      const host = hostOf(server);
      const removed = await removeCredentials(host);
      process.stdout.write(removed ? `Removing login credentials for ${authKey(host)}\n` : `Not logged in to ${authKey(host)}\n`);
    });
}
