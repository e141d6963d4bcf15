import type { Progress } from "../../engine/exec/progress.ts";

/**
 * BuildKit's plain progress format, for CI and pipes:
 *   #3 [build 2/5] RUN make
 *   #3 0.42 compiling...
 *   #3 DONE 1.2s        (or  #3 CACHED)
 */
export class PlainProgress implements Progress {
  readonly #write: (s: string) => void;
  readonly #started = new Map<number, number>();
  constructor(write: (s: string) => void = (s) => process.stderr.write(s)) {
    this.#write = write;
  }
  start(id: number, label: string): void {
    this.#started.set(id, performance.now());
    this.#write(`#${id} ${label}\n`);
  }
  output(id: number, chunk: Buffer): void {
    const t = ((performance.now() - (this.#started.get(id) ?? performance.now())) / 1000).toFixed(2);
    const lines = chunk.toString().split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    for (const l of lines) this.#write(`#${id} ${t} ${l}\n`);
  }
  cached(id: number): void {
    this.#write(`#${id} CACHED\n`);
  }
  done(id: number, seconds: number): void {
    this.#write(`#${id} DONE ${seconds.toFixed(1)}s\n`);
  }
  failed(id: number, message: string): void {
    this.#write(`#${id} ERROR: ${message}\n`);
  }
  info(message: string): void {
    this.#write(`${message}\n`);
  }
  close(): void {}
}
