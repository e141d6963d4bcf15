import type { Command } from "commander";
import { copyFromContainer, copyToContainer } from "../../container/cp/copy.ts";
import { findContainer } from "../../container/state.ts";
import { StrataError } from "../../errors/error.ts";
import { CONTAINER_USAGE, defineTwice, reportError } from "../container-command.ts";
import { openStore } from "../context.ts";
import { humanSize } from "../format.ts";
import { preflight } from "../preflight.ts";

interface CpFlags {
  followLink?: boolean;
  archive?: boolean;
  quiet?: boolean;
}

/**
 * docker's split of a cp argument (its splitCpArg): `CONTAINER:PATH`, unless the argument is
 * an absolute path or a relative one starting with `.` (so `./a:b` is a local file).
 */
export function splitCpArg(arg: string): { container: string | undefined; path: string } {
  if (arg.startsWith("/")) return { container: undefined, path: arg };
  const colon = arg.indexOf(":");
  if (colon < 0 || arg.startsWith(".")) return { container: undefined, path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

const usage = (message: string): StrataError => new StrataError("CONTAINER_USAGE", message);

export function registerCp(program: Command): void {
  defineTwice(program, "cp", "cp", (c) =>
    c
      .description("Copy files/folders between a container and the local filesystem ('-' is a tar on standard input or output)")
      .usage("[options] CONTAINER:SRC_PATH DEST_PATH|-\n       strata cp [options] SRC_PATH|- CONTAINER:DEST_PATH")
      .argument("<source>")
      .argument("<destination>")
      .option("-L, --follow-link", "always follow symbol links in SRC_PATH")
      .option("-a, --archive", "archive mode: keep the source's uid/gid")
      .option("-q, --quiet", "suppress the summary (printed only when standard output is a terminal)")
      .action(async (source: string, destination: string, opts: CpFlags, cmd: Command) => {
        const from = splitCpArg(source);
        const to = splitCpArg(destination);
        try {
          if (source === "") throw usage("source can not be empty");
          if (destination === "") throw usage("destination can not be empty");
          if (from.container !== undefined && to.container !== undefined) throw usage("copying between containers is not supported");
          if (from.container === undefined && to.container === undefined) throw usage("must specify at least one container source");
        } catch (e) {
          reportError(e, CONTAINER_USAGE);
          return;
        }
        try {
          const store = await openStore(cmd);
          await preflight(store);
          const o = { followLink: opts.followLink ?? false, archive: opts.archive ?? false };
          const summary = !opts.quiet && process.stdout.isTTY === true;
          if (from.container !== undefined) {
            const rec = await findContainer(store, from.container);
            const out = to.path === "-" ? process.stdout : to.path;
            const r = await copyFromContainer(store, rec, from.path, out, o);
            if (summary && out !== process.stdout) process.stderr.write(`Successfully copied ${humanSize(r.bytes)} to ${to.path}\n`);
          } else {
            const rec = await findContainer(store, to.container as string);
            const r = await copyToContainer(store, rec, from.path === "-" ? process.stdin : from.path, to.path, o);
            if (summary) process.stderr.write(`Successfully copied ${humanSize(r.bytes)} to ${to.container}:${to.path}\n`);
          }
        } catch (e) {
          reportError(e);
        }
      }),
  );
}
