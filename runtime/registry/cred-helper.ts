import { spawn } from "node:child_process";
import { StrataError } from "../errors/error.ts";
import type { Credentials } from "./auth.ts";

/**
 * docker's credential helper protocol (docker/docker-credential-helpers): the program
 * `docker-credential-<name>` on the PATH is run with one action word; `get` reads the server
 * URL on stdin and prints {"ServerURL","Username","Secret"}; `store` reads that JSON; `erase`
 * reads the server URL. A `get` for an unknown server exits non-zero printing
 * "credentials not found in native keychain".
 */
const NOT_FOUND = /credentials not found/i;

interface Ran {
  readonly code: number;
  readonly stdout: string;
}

function run(name: string, action: "get" | "store" | "erase", input: string): Promise<Ran> {
  const program = `docker-credential-${name}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, [action], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString("utf8");
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString("utf8");
    });
    child.on("error", (e: NodeJS.ErrnoException) => {
      const why = e.code === "ENOENT" ? `${program} is not on the PATH` : e.message;
      reject(new StrataError("CREDENTIAL_HELPER", `credential helper ${name}: ${why}`));
    });
    child.on("close", (code) => resolve({ code: code ?? 1, stdout: stdout.trim() || stderr.trim() }));
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
  });
}

function failed(name: string, action: string, r: Ran): StrataError {
  return new StrataError("CREDENTIAL_HELPER", `credential helper ${name} ${action} failed (exit ${r.code}): ${r.stdout.split("\n")[0] ?? ""}`);
}

/** The helper's credentials for `server`, or undefined when it has none. */
export async function helperGet(name: string, server: string): Promise<Credentials | undefined> {
  const r = await run(name, "get", server);
  if (r.code !== 0) {
    if (NOT_FOUND.test(r.stdout)) return undefined;
    throw failed(name, "get", r);
  }
  let v: { Username?: unknown; Secret?: unknown };
  try {
    v = JSON.parse(r.stdout) as typeof v;
  } catch {
    throw new StrataError("CREDENTIAL_HELPER", `credential helper ${name} get printed something that is not JSON`);
  }
  if (typeof v.Username !== "string" || typeof v.Secret !== "string" || v.Secret === "") return undefined;
  return { username: v.Username, password: v.Secret };
}

export async function helperStore(name: string, server: string, c: Credentials): Promise<void> {
  const r = await run(name, "store", JSON.stringify({ ServerURL: server, Username: c.username, Secret: c.password }));
  if (r.code !== 0) throw failed(name, "store", r);
}

/** Erases the helper's entry; a server it never had is not an error. */
export async function helperErase(name: string, server: string): Promise<void> {
  const r = await run(name, "erase", server);
  if (r.code !== 0 && !NOT_FOUND.test(r.stdout)) throw failed(name, "erase", r);
}
