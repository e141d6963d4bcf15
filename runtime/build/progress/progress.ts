/**
 * Build progress events, reported by the executor as steps start, print,
 * finish or come from the cache. Reporters: plain (CI and pipes), tty (a live
 * view), rawjson (one JSON event per line), quiet.
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

/** One JSON object per event on stderr, for tools. */
export class RawJsonProgress implements Progress {
  readonly #write: (s: string) => void;
  constructor(write: (s: string) => void = (s) => process.stderr.write(s)) {
    this.#write = write;
  }
  #emit(event: Record<string, unknown>): void {
    this.#write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
  }
  start(id: number, label: string): void {
    this.#emit({ event: "start", id, label });
  }
  output(id: number, chunk: Buffer): void {
    this.#emit({ event: "output", id, data: chunk.toString() });
  }
  cached(id: number): void {
    this.#emit({ event: "cached", id });
  }
  done(id: number, seconds: number): void {
    this.#emit({ event: "done", id, seconds });
  }
  failed(id: number, message: string): void {
    this.#emit({ event: "error", id, message });
  }
  info(message: string): void {
    this.#emit({ event: "info", message });
  }
  close(): void {}
}
