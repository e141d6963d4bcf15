import type { Progress } from "../../engine/exec/progress.ts";

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
