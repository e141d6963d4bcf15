/**
 * Questions on the terminal, as docker's CLI asks them (docker/cli internal/prompt): the
 * message on stdout, one line read from stdin (a tty or not: docker reads whatever stdin
 * is), trimmed. A hidden answer (a password) is read with the tty's echo off. Lines are
 * taken from one shared reader, so answers typed ahead are not lost between questions.
 */
let pending = "";
let ended = false;
let waiting: (() => void) | undefined;
let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  process.stdin.on("data", (b: Buffer) => {
    pending += b.toString("utf8");
    waiting?.();
  });
  process.stdin.on("end", () => {
    ended = true;
    waiting?.();
  });
  process.stdin.on("error", () => {
    ended = true;
    waiting?.();
  });
}

/** The next line of stdin without its end (\n, \r\n or a raw tty's \r); undefined at end of input. */
async function nextLine(): Promise<string | undefined> {
  listen();
  process.stdin.resume();
  try {
    for (;;) {
      // Ctrl-C on a raw tty arrives as a byte, not a signal.
      if (pending.includes("\u0003")) process.exit(130);
      const m = /\r\n|\n|\r/.exec(pending);
      if (m) {
        const line = pending.slice(0, m.index);
        pending = pending.slice(m.index + m[0].length);
        return line;
      }
      if (ended) {
        const rest = pending;
        pending = "";
        return rest === "" ? undefined : rest;
      }
      await new Promise<void>((r) => {
        waiting = r;
      });
      waiting = undefined;
    }
  } finally {
    process.stdin.pause();
  }
}

/** Asks and returns the trimmed answer ("" at end of input). */
export async function ask(message: string, options: { hidden?: boolean } = {}): Promise<string> {
  // Echo goes off before the question is seen, so an answer typed at once is not shown either.
  const tty = options.hidden === true && process.stdin.isTTY === true;
  if (tty) process.stdin.setRawMode(true);
  process.stdout.write(message);
  try {
    const line = (await nextLine()) ?? "";
    // A raw tty hands over the erase key too (DEL or BS): apply it, as the cooked tty would have.
    return (tty ? [...line].reduce((s, c) => (c === "\u007f" || c === "\b" ? s.slice(0, -1) : s + c), "") : line).trim();
  } finally {
    if (tty) {
      process.stdin.setRawMode(false);
      process.stdout.write("\n");
    }
  }
}

/** docker's confirmation: MESSAGE [y/N]; true only for "y" or "Y". */
export async function confirm(message: string): Promise<boolean> {
  return (await ask(`${message} [y/N] `)).toLowerCase() === "y";
}
