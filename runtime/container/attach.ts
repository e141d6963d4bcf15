/**
 * `attach` and `start -a`: this terminal joined to a detached container's stdio until its
 * process ends, with the container's exit code as the result.
 *
 * The output is the monitor's json-file log (logs.ts, following it), from the time attaching
 * began (`start -a` takes that time before the start, so nothing is missed), stdout to stdout
 * and stderr to stderr; with `stdin`, this process's input goes to the container's stdin
 * through the monitor's attach socket (monitor/sockets.ts; a container started with -i);
 * SIGINT and SIGTERM are passed on to the container (docker's --sig-proxy).
 */
import type { Socket } from "node:net";
import type { Store } from "../store/store.ts";
import { nowNs } from "./log-file.ts";
import { printLogs } from "./logs.ts";
import { attachTo } from "./monitor/sockets.ts";
import { runcKill } from "./runc-ops.ts";
import { readExit } from "./start.ts";
import { type ContainerRecord, ContainerPaths, runcId } from "./state.ts";

export interface AttachOptions {
  /** Pass this process's stdin to the container's (it must have been created with -i). */
  readonly stdin: boolean;
  /** From when output is shown, nanoseconds since the epoch (default: now, as docker's attach shows only what comes). */
  readonly since?: bigint;
  /** Pass SIGINT/SIGTERM on to the container (default true). */
  readonly sigProxy?: boolean;
}

/** Now, as attach counts time: where a `start -a` begins. */
export const attachSince = nowNs;

/** Joins this process to the container until its process ends; resolves with its exit code. */
export async function attachContainer(store: Store, rec: ContainerRecord, o: AttachOptions): Promise<number> {
  const paths = new ContainerPaths(store.layout.root, rec.id);
  const since = o.since ?? nowNs();
  const forward = (sig: NodeJS.Signals): void => {
    void runcKill(store.layout.runc, runcId(rec.id), sig);
  };
  if (o.sigProxy ?? true) {
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
  }
  let input: Socket | undefined;
  try {
    if (o.stdin && rec.interactive) {
      input = await attachTo(paths.attachSocket, { stdin: true, stdout: false, stderr: false });
      input.on("error", () => undefined);
      process.stdin.pipe(input);
    }
    await printLogs(store, rec, { follow: true, since });
    return (await readExit(store, rec.id))?.code ?? 0;
  } finally {
    if (input !== undefined) {
      process.stdin.unpipe(input);
      process.stdin.pause();
      input.destroy();
    }
    process.removeListener("SIGINT", forward);
    process.removeListener("SIGTERM", forward);
  }
}
