import type { createLogUpdate } from "log-update";
import pc from "picocolors";
import type { Progress } from "../../engine/exec/progress.ts";

interface StepView {
  label: string;
  started: number;
  state: "running" | "done" | "cached" | "error";
  seconds: number;
  tail: string[];
}

/**
 * A live view on a terminal, redrawn ten times a second: every step with its
 * timer, CACHED markers, and the last lines of output of running steps.
 * log-update is imported at the first redraw (its string-width builds an ICU
 * segmenter: ~40 ms of start-up), so a build that ends sooner, as a warm one
 * does, prints its one frame directly and never loads it.
 */
export class TtyProgress implements Progress {
  readonly #steps = new Map<number, StepView>();
  readonly #begun = performance.now();
  #log: ReturnType<typeof createLogUpdate> | undefined;
  #loading = false;
  #closed = false;
  readonly #timer: NodeJS.Timeout;
  readonly #notes: string[] = [];

  constructor() {
    this.#timer = setInterval(() => this.#draw(), 100);
    this.#timer.unref();
  }

  start(id: number, label: string): void {
    this.#steps.set(id, { label, started: performance.now(), state: "running", seconds: 0, tail: [] });
  }
  output(id: number, chunk: Buffer): void {
    const s = this.#steps.get(id);
    if (!s) return;
    s.tail = [...s.tail, ...chunk.toString().split("\n").filter((l) => l !== "")].slice(-6);
  }
  cached(id: number): void {
    this.#end(id, "cached", 0);
  }
  done(id: number, seconds: number): void {
    this.#end(id, "done", seconds);
  }
  failed(id: number, message: string): void {
    this.#end(id, "error", (performance.now() - (this.#steps.get(id)?.started ?? 0)) / 1000);
    this.#notes.push(pc.red(message));
  }
  info(message: string): void {
    this.#notes.push(message);
  }
  close(): void {
    clearInterval(this.#timer);
    this.#closed = true;
    if (this.#log === undefined) {
      process.stderr.write(`${this.#frame()}\n`);
      return;
    }
    this.#log(this.#frame());
    this.#log.done();
  }

  #end(id: number, state: StepView["state"], seconds: number): void {
    const s = this.#steps.get(id);
    if (!s) return;
    s.state = state;
    s.seconds = seconds;
  }

  #draw(): void {
    if (this.#closed) return;
    if (this.#log !== undefined) {
      this.#log(this.#frame());
      return;
    }
    if (this.#loading) return;
    this.#loading = true;
    void import("log-update").then(({ createLogUpdate }) => {
      if (this.#closed) return;
      this.#log = createLogUpdate(process.stderr);
      this.#draw();
    });
  }

  #frame(): string {
    const now = performance.now();
    const total = this.#steps.size;
    const finished = [...this.#steps.values()].filter((s) => s.state !== "running").length;
    const lines = [pc.bold(`[+] Building ${((now - this.#begun) / 1000).toFixed(1)}s (${finished}/${total})`)];
    for (const s of this.#steps.values()) {
      const time = s.state === "cached" ? pc.green("CACHED") : `${(s.state === "running" ? (now - s.started) / 1000 : s.seconds).toFixed(1)}s`;
      const mark = s.state === "error" ? pc.red(" => ") : s.state === "running" ? pc.cyan(" => ") : " => ";
      lines.push(`${mark}${s.label.length > 90 ? `${s.label.slice(0, 89)}…` : s.label}  ${time}`);
      if (s.state === "running") for (const t of s.tail) lines.push(pc.dim(`    ${t.slice(0, 120)}`));
    }
    return [...lines, ...this.#notes].join("\n");
  }
}
