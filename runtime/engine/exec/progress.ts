/**
 * Build progress events, reported by the executor as steps start, print,
 * finish or come from the cache: the sink a caller of the engine gives it.
 * The CLI's reporters (runtime/cli/progress/): plain (CI and pipes), tty (a
 * live view), rawjson (one JSON event per line); QuietProgress reports nothing.
 */
export interface Progress {
  start(id: number, label: string): void;
  output(id: number, chunk: Buffer): void;
  cached(id: number): void;
  done(id: number, seconds: number): void;
  failed(id: number, message: string): void;
  info(message: string): void;
  /** Stops any redrawing; called once when the build ends. */
  close(): void;
}

export class QuietProgress implements Progress {
  start(): void {}
  output(): void {}
  cached(): void {}
  done(): void {}
  failed(): void {}
  info(): void {}
  close(): void {}
}
