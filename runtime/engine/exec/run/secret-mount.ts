import { lstat, readFile } from "node:fs/promises";
import type { Mount } from "../../../../compiler/ir/graph.ts";
import type { ExtraMount } from "../../../runc/spec.ts";
import type { SecretSource } from "../step-sources.ts";
import { RunMountError } from "./errors.ts";
import type { Scratch } from "./scratch.ts";

/** What a secret or ssh mount adds to the container. */
export interface Exposed {
  readonly mounts: ExtraMount[];
  readonly env: string[];
}

async function secretBytes(src: SecretSource | undefined): Promise<Buffer | undefined> {
  if (src === undefined) return undefined;
  if ("file" in src) {
    try {
      return await readFile(src.file);
    } catch (e) {
      throw new RunMountError(`cannot read the secret file ${src.file}: ${(e as Error).message}`);
    }
  }
  const v = process.env[src.env];
  return v === undefined ? undefined : Buffer.from(v);
}

/**
 * RUN --mount=type=secret. The bytes come from `strata build --secret`
 * (a file or an environment variable of the build) and go only to the
 * scratch tmpfs outside the rootfs (never to a disk): the file, with `mode`
 * (default 0400), `uid` and `gid` (default 0), is bind-mounted read-only at
 * the target (default /run/secrets/<id>, set by the lowering unless `env`
 * is given); with `env` the value is also (or only, without a target) in
 * that environment variable of the command. A missing secret fails the RUN
 * when `required`, else the mount is left out, as in BuildKit.
 */
export async function secretMount(m: Mount, secrets: ReadonlyMap<string, SecretSource>, scratch: Scratch, n: number): Promise<Exposed> {
  const id = m.id ?? "";
  const bytes = await secretBytes(secrets.get(id));
  if (bytes === undefined) {
    if (m.required) throw new RunMountError(`secret "${id}" not found: pass it with --secret id=${id},src=FILE (or env=VAR)`);
    return { mounts: [], env: [] };
  }
  const mounts: ExtraMount[] = [];
  if (m.target !== "") {
    const file = await scratch.file(`secrets/${n}`, bytes, m.mode ?? 0o400, { uid: m.uid ?? 0, gid: m.gid ?? 0 });
    mounts.push({ destination: m.target, source: file, type: "bind", options: ["rbind", "ro", "nosuid", "nodev", "noexec"] });
  }
  return { mounts, env: m.env !== undefined && m.env !== "" ? [`${m.env}=${bytes.toString("utf8")}`] : [] };
}

/** Why an ssh mount has no agent socket. */
function missingAgent(id: string, sock: string | undefined, agents: ReadonlyMap<string, string> | undefined): string {
  if (agents !== undefined) return sock === undefined ? `no --ssh ${id} was given` : `${sock} is not a socket`;
  if (id !== "default") return `only the "default" id (the $SSH_AUTH_SOCK agent) is available, not "${id}": pass --ssh ${id}=SOCKET`;
  return sock ? `$SSH_AUTH_SOCK (${sock}) is not a socket` : "no SSH agent socket: $SSH_AUTH_SOCK is not set";
}

/**
 * RUN --mount=type=ssh. Each id's agent socket comes from `build --ssh`
 * (a socket, `default` alone: the build's $SSH_AUTH_SOCK, or the agent the
 * build started for key files: ssh-agents.ts); without --ssh the `default` id is $SSH_AUTH_SOCK and
 * other ids have no source. The socket is bind-mounted at the target
 * (default /run/buildkit/ssh_agent.<n>). Without a socket the mount is left out, or the RUN fails
 * when `required=true`. The socket keeps its host owner and mode: `mode`,
 * `uid` and `gid` cannot be applied to a bind of it (BuildKit proxies the
 * agent through a socket of its own made with them).
 */
export async function sshMount(m: Mount, n: number, agents?: ReadonlyMap<string, string>): Promise<Exposed & { target?: string }> {
  const id = m.id ?? "default";
  const sock = agents !== undefined ? agents.get(id) : id === "default" ? process.env.SSH_AUTH_SOCK : undefined;
  const isSocket = sock !== undefined && sock !== "" && (await lstat(sock).then((s) => s.isSocket(), () => false));
  const target = m.target !== "" ? m.target : `/run/buildkit/ssh_agent.${n}`;
  if (!isSocket) {
    if (m.required) {
      const why = missingAgent(id, sock, agents);
      throw new RunMountError(`ssh mount "${id}" is required but ${why}; start an agent (eval $(ssh-agent); ssh-add) and build again`);
    }
    return { mounts: [], env: [], target };
  }
  return { mounts: [{ destination: target, source: sock as string, type: "bind", options: ["rbind"] }], env: [], target };
}
