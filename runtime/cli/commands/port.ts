import type { Command } from "commander";
import { StrataError } from "../../errors/error.ts";
import { defineTwice, reportError } from "../container-command.ts";
import { containerAndStatus } from "../inspect-format.ts";
import { openStore } from "../context.ts";
import { portLines } from "../network-view.ts";

/**
 * `strata port CONTAINER [PRIVATE_PORT[/PROTO]]`, as docker's (cli/command/container/port.go):
 * every published port as `80/tcp -> 0.0.0.0:8080`, or one port's host addresses; a port
 * that is not published is docker's "No public port '80/tcp' published for NAME" (exit 1).
 * The protocol defaults to tcp.
 */
export function registerPort(program: Command): void {
  defineTwice(program, "port", "port", (c) =>
    c
      .description("List port mappings or a specific mapping for the container")
      .argument("<container>")
      .argument("[port]", "PRIVATE_PORT[/PROTO]")
      .action(async (ref: string, port: string | undefined, _opts: object, cmd: Command) => {
        try {
          let asked: { port: number; protocol: string } | undefined;
          if (port !== undefined) {
            const [num = "", protocol = "tcp"] = port.split("/");
            if (!/^\d+$/.test(num) || Number(num) > 65535) throw new StrataError("USAGE", `Error: invalid port (${num}): strconv.ParseUint: parsing "${num}": invalid syntax`);
            asked = { port: Number(num), protocol: protocol === "" ? "tcp" : protocol };
          }
          const [rec, status] = await containerAndStatus(await openStore(cmd), ref);
          const lines = portLines(rec, status, asked);
          if (lines === undefined) throw new StrataError("NET_NO_PUBLIC_PORT", `No public port '${port}' published for ${ref}`);
          if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
        } catch (e) {
          reportError(e);
        }
      }),
  );
}
