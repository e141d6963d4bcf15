import { closeSync, constants, openSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { basename, dirname } from "node:path";

/**
 * The monitor's two unix sockets in the container's dir (the monitor binds them by their
 * relative names, its working directory being that dir):
 *
 * - `control.sock`: one JSON request line, one JSON reply line (`{"ok":true}` or
 *   `{"ok":false,"error":"…"}`). Requests: `{"op":"stop"}` — the container was stopped by
 *   hand (stop, kill, rm -f): no restart policy restarts it, a pending restart is dropped;
 *   `{"op":"resize","rows":R,"cols":C}` — a terminal container's size (rows and cols left
 *   out: the size of the terminal a foreground `run -t` was given, after its SIGWINCH).
 * - `attach.sock`: for `attach` and `start -a`. The client writes one JSON line,
 *   `{"stdin":bool,"stdout":bool,"stderr":bool,"closeStdin":bool}` (stdout and stderr
 *   default true), then, with `stdin`, the bytes for the container's stdin (when it was
 *   started with -i); with `closeStdin` its end of input closes the container's stdin
 *   (docker's StdinOnce). The monitor sends the process's output from then on in docker's
 *   stdcopy frames: a header of 8 bytes (stream 1 stdout or 2 stderr, three zero bytes,
 *   the payload's length as a big-endian uint32), then the payload; a terminal's output is
 *   stream 1. The monitor ends the connection when the process ends.
 *
 * A unix socket path holds at most 107 bytes; a longer one (a deep --root) is reached as
 * /proc/self/fd/N/<name>, N an open descriptor of its directory.
 */
export const SOCKET_PATH_MAX = 107;

/** Connects to the unix socket at `path`, however long the path. */
export function connectUnix(path: string): Promise<Socket> {
  let dirFd: number | undefined;
  let target = path;
  if (Buffer.byteLength(path) > SOCKET_PATH_MAX) {
    dirFd = openSync(dirname(path), constants.O_RDONLY | constants.O_DIRECTORY);
    target = `/proc/self/fd/${dirFd}/${basename(path)}`;
  }
  return new Promise<Socket>((resolve, reject) => {
    const s = connect(target);
    const done = (): void => {
      if (dirFd !== undefined) closeSync(dirFd);
      dirFd = undefined;
    };
    s.once("connect", () => {
      done();
      resolve(s);
    });
    s.once("error", (e) => {
      done();
      reject(e);
    });
  });
}

export interface ControlReply {
  readonly ok: boolean;
  readonly error?: string;
}

/** Sends one request to the monitor's control socket; undefined when no monitor answers (none runs). */
export async function askMonitor(controlSocket: string, request: Record<string, unknown>, timeoutMs = 5000): Promise<ControlReply | undefined> {
  let s: Socket;
  try {
    s = await connectUnix(controlSocket);
  } catch {
    return undefined;
  }
  return new Promise<ControlReply | undefined>((resolve) => {
    let text = "";
    const timer = setTimeout(() => {
      s.destroy();
      resolve(undefined);
    }, timeoutMs);
    s.on("data", (b: Buffer) => {
      text += b.toString("utf8");
      if (text.length > 65536) s.destroy();
      const nl = text.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      s.destroy();
      try {
        resolve(JSON.parse(text.slice(0, nl)) as ControlReply);
      } catch {
        resolve(undefined);
      }
    });
    s.on("error", () => undefined);
    s.on("close", () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    s.write(`${JSON.stringify(request)}\n`);
  });
}

/** Connects to the attach socket and sends the options line (see above); the socket then carries stdcopy frames. */
export async function attachTo(attachSocket: string, options: { stdin?: boolean; stdout?: boolean; stderr?: boolean; closeStdin?: boolean }): Promise<Socket> {
  const s = await connectUnix(attachSocket);
  s.write(`${JSON.stringify(options)}\n`);
  return s;
}
