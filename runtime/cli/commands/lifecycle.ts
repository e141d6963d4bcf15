import type { Command } from "commander";
import { CONTAINER_USAGE, defineTwice, reportError } from "../container-command.ts";
import { killContainer, normalizeSignal, removeContainer, startContainer, type StopOptions, stopContainer } from "../../container/lifecycle.ts";
import { type ContainerRecord, findContainer } from "../../container/state.ts";
import type { Store } from "../../store/store.ts";
import { openStore } from "../context.ts";
import { preflight } from "../preflight.ts";
import { StrataError } from "../../errors/error.ts";
import { attachContainer, attachSince } from "../../container/attach.ts";
import { removeAnonymousVolumes } from "../../container/anonymous-volumes.ts";

/** Runs `fn` on each named container; prints each name that succeeded (as docker does), reports the others. */
export async function each(cmd: Command, refs: readonly string[], fn: (store: Store, rec: ContainerRecord) => Promise<void>, preflighted = false): Promise<void> {
  let store: Store;
  try {
    store = await openStore(cmd);
    if (preflighted) await preflight(store);
  } catch (e) {
    reportError(e);
    return;
  }
  for (const ref of refs) {
    try {
      await fn(store, await findContainer(store, ref));
      process.stdout.write(`${ref}\n`);
    } catch (e) {
      reportError(e);
    }
  }
}

/** `stop`/`restart` -t and -s: the grace period (seconds, -1 for ever; the container's --stop-timeout when not given) and the signal. */
export function stopOptions(opts: { time?: string; signal?: string }): StopOptions {
  let timeoutSeconds: number | undefined;
  if (opts.time !== undefined) {
    timeoutSeconds = Number(opts.time);
    if (!/^-?\d+$/.test(opts.time.trim()) || timeoutSeconds < -1) throw new StrataError("CONTAINER_USAGE", `invalid --time ${opts.time}: give a number of seconds (-1 waits for ever)`);
  }
  if (opts.signal !== undefined) normalizeSignal(opts.signal);
  return { timeoutSeconds, signal: opts.signal };
}

/** `stop` and `restart`: containers, -s and -t, and what to do with each. */
export function stopCommand(c: Command, description: string, act: (store: Store, rec: ContainerRecord, o: StopOptions) => Promise<void>, preflighted = false): Command {
  return c
    .description(description)
    .argument("<container...>")
    .option("-s, --signal <signal>", "signal to send to the container")
    .option("-t, --time <seconds>", "seconds to wait before killing the container (default: its --stop-timeout, else 10)")
    .action(async (refs: string[], opts: { time?: string; signal?: string }, cmd: Command) => {
      let o: StopOptions;
      try {
        o = stopOptions(opts);
      } catch (e) {
        reportError(e, CONTAINER_USAGE);
        process.exitCode = CONTAINER_USAGE;
        return;
      }
      await each(cmd, refs, (store, rec) => act(store, rec, o), preflighted);
    });
}

export function registerStop(program: Command): void {
  defineTwice(program, "stop", "stop", (c) =>
    stopCommand(c, "Stop running containers: the stop signal (--stop-signal, the image's STOPSIGNAL, else SIGTERM), then SIGKILL after a grace period; no restart policy restarts them", stopContainer),
  );
}

export function registerKill(program: Command): void {
  defineTwice(program, "kill", "kill", (c) =>
    c
      .description("Send a signal (default SIGKILL) to running containers")
      .argument("<container...>")
      .option("-s, --signal <signal>", "signal to send: a name (TERM, SIGHUP) or a number", "SIGKILL")
      .action(async (refs: string[], opts: { signal: string }, cmd: Command) => {
        try {
          normalizeSignal(opts.signal);
        } catch (e) {
          reportError(e, CONTAINER_USAGE);
          process.exitCode = CONTAINER_USAGE;
          return;
        }
        await each(cmd, refs, (store, rec) => killContainer(store, rec, opts.signal));
      }),
  );
}

/** `start -a`: the container's output from before its start to its end; its exit code is the command's. */
async function startAttached(cmd: Command, ref: string, stdin: boolean): Promise<void> {
  try {
    const store = await openStore(cmd);
    await preflight(store);
    const rec = await findContainer(store, ref);
    const since = attachSince();
    await startContainer(store, rec);
    process.exitCode = await attachContainer(store, rec, { stdin, since });
  } catch (e) {
    reportError(e);
  }
}

export function registerStart(program: Command): void {
  defineTwice(program, "start", "start", (c) =>
    c
      .description("Start stopped containers again (in the background, on their same files; -a: attached)")
      .argument("<container...>")
      .option("-a, --attach", "attach standard output and error, and end with the container's exit code")
      .option("-i, --interactive", "attach standard input (a container created with -i)")
      .action(async (refs: string[], opts: { attach?: boolean; interactive?: boolean }, cmd: Command) => {
        if (opts.attach || opts.interactive) {
          if (refs.length > 1) {
            reportError(new StrataError("CONTAINER_USAGE", "you cannot start and attach multiple containers at once"), CONTAINER_USAGE);
            return;
          }
          await startAttached(cmd, refs[0] as string, opts.interactive ?? false);
          return;
        }
        await each(cmd, refs, (store, rec) => startContainer(store, rec), true);
      }),
  );
}

export function registerRm(program: Command): void {
  defineTwice(program, "rm", "rm", (c) =>
    c
      .description("Remove containers: their files, mounts and runc state")
      .argument("<container...>")
      .option("-f, --force", "kill and remove a running container")
      .option("-v, --volumes", "remove the anonymous volumes of the container too")
      .action(async (refs: string[], opts: { force?: boolean; volumes?: boolean }, cmd: Command) => {
        await each(cmd, refs, async (store, rec) => {
          await removeContainer(store, rec, opts.force ?? false);
          if (opts.volumes) await removeAnonymousVolumes(store, rec);
        });
      }),
  );
}
