import { rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import type { Writable } from "node:stream";
import type { LogStream } from "../log-file.ts";

/** What the sockets act on: the monitor's current run (sockets.ts describes the protocol). */
export interface MonitorHooks {
  /** The container was stopped by hand: no restart. */
  stop(): void;
  resize(rows: number | undefined, cols: number | undefined): Promise<void>;
  /** The running process's stdin, when it was started with -i. */
  stdin(): Writable | undefined;
}

/** A client slower than this many buffered bytes is dropped (the monitor never holds unbounded output). */
const CLIENT_BUFFER_MAX = 4 << 20;
const LINE_MAX = 4096;

interface Client {
  readonly socket: Socket;
  readonly stdout: boolean;
  readonly stderr: boolean;
}

/** docker's stdcopy frame header: stream, three zero bytes, the payload's length. */
export function frameHeader(stream: LogStream, length: number): Buffer {
  const h = Buffer.alloc(8);
  h[0] = stream === "stdout" ? 1 : 2;
  h.writeUInt32BE(length, 4);
  return h;
}

/** Reads the first line of a connection (bounded), then hands the rest of the stream on. */
function onFirstLine(s: Socket, then: (line: string, rest: Buffer) => void): void {
  let buf = Buffer.alloc(0);
  const onData = (b: Buffer): void => {
    buf = Buffer.concat([buf, b]);
    const nl = buf.indexOf(10);
    if (nl < 0) {
      if (buf.length > LINE_MAX) s.destroy();
      return;
    }
    s.removeListener("data", onData);
    then(buf.subarray(0, nl).toString("utf8"), buf.subarray(nl + 1));
  };
  s.on("data", onData);
  s.on("error", () => undefined);
}

export class MonitorServers {
  readonly #clients = new Set<Client>();
  readonly #servers: Server[] = [];

  readonly hooks: MonitorHooks;
  constructor(hooks: MonitorHooks) {
    this.hooks = hooks;
  }

  /** Binds control.sock and attach.sock in the working directory (the container's dir). */
  async listen(): Promise<void> {
    await this.#bind("control.sock", (s) => this.#control(s));
    await this.#bind("attach.sock", (s) => this.#attach(s));
  }

  /** Output of the process, to every attached client that asked for its stream. */
  emit(stream: LogStream, chunk: Buffer): void {
    for (const c of this.#clients) {
      if (!(stream === "stdout" ? c.stdout : c.stderr)) continue;
      if (c.socket.writableLength > CLIENT_BUFFER_MAX) {
        c.socket.destroy();
        this.#clients.delete(c);
        continue;
      }
      c.socket.write(Buffer.concat([frameHeader(stream, chunk.length), chunk]));
    }
  }

  /** The process ended: attached clients are let go once what they were sent is flushed. */
  endClients(): void {
    for (const c of this.#clients) c.socket.end();
    this.#clients.clear();
  }

  close(): void {
    this.endClients();
    for (const s of this.#servers) s.close();
    for (const name of ["control.sock", "attach.sock"]) rmSync(name, { force: true });
  }

  async #bind(name: string, handle: (s: Socket) => void): Promise<void> {
    rmSync(name, { force: true });
    // Half-open: an attached client that ends its input still gets the output.
    const server = createServer({ allowHalfOpen: true }, handle);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(name, () => resolve());
    });
    server.on("error", () => undefined);
    this.#servers.push(server);
  }

  #control(s: Socket): void {
    onFirstLine(s, (line) => {
      const reply = (r: object): void => {
        s.end(`${JSON.stringify(r)}\n`);
      };
      let req: { op?: unknown; rows?: unknown; cols?: unknown };
      try {
        req = JSON.parse(line) as typeof req;
      } catch {
        reply({ ok: false, error: "not JSON" });
        return;
      }
      if (req.op === "stop") {
        this.hooks.stop();
        reply({ ok: true });
      } else if (req.op === "resize") {
        const n = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v > 0 && v < 65536 ? v : undefined);
        this.hooks.resize(n(req.rows), n(req.cols)).then(
          () => reply({ ok: true }),
          (e: Error) => reply({ ok: false, error: e.message }),
        );
      } else reply({ ok: false, error: `unknown op ${JSON.stringify(req.op)}` });
    });
  }

  #attach(s: Socket): void {
    onFirstLine(s, (line, rest) => {
      let o: { stdin?: unknown; stdout?: unknown; stderr?: unknown; closeStdin?: unknown } = {};
      try {
        o = JSON.parse(line) as typeof o;
      } catch {
        s.destroy();
        return;
      }
      const client: Client = { socket: s, stdout: o.stdout !== false, stderr: o.stderr !== false };
      this.#clients.add(client);
      s.on("close", () => this.#clients.delete(client));
      if (o.stdin !== true) return;
      // Held back while the process does not read: the monitor buffers no more than the pipe does.
      const input = (b: Buffer): void => {
        const sink = this.hooks.stdin();
        if (b.length === 0 || sink === undefined || sink.write(b)) return;
        s.pause();
        sink.once("drain", () => s.resume());
      };
      input(rest);
      s.on("data", input);
      s.on("end", () => {
        if (o.closeStdin === true) this.hooks.stdin()?.end();
      });
    });
  }
}
