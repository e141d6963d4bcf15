import { z } from "zod";
import type { Progress } from "../../engine/exec/progress.ts";

const base = { time: z.string().datetime({ offset: true }) };
const step = { ...base, id: z.number().int().positive() };

/**
 * `--progress rawjson`: one JSON object per line on stderr, this schema (documented in the
 * README's "Progress output"). `id` numbers a step as plain progress's `#N` does; a step
 * starts, may print output, and ends once: cached, done or error.
 */
export const RawJsonEventSchema = z.discriminatedUnion("event", [
  z.object({ ...step, event: z.literal("start"), label: z.string() }).strict(),
  z.object({ ...step, event: z.literal("output"), data: z.string() }).strict(),
  z.object({ ...step, event: z.literal("cached") }).strict(),
  z.object({ ...step, event: z.literal("done"), seconds: z.number().nonnegative() }).strict(),
  z.object({ ...step, event: z.literal("error"), message: z.string() }).strict(),
  z.object({ ...base, event: z.literal("info"), message: z.string() }).strict(),
]);
export type RawJsonEvent = z.infer<typeof RawJsonEventSchema>;

type Unstamped = RawJsonEvent extends infer E ? (E extends RawJsonEvent ? Omit<E, "time"> : never) : never;

/** One JSON object per event on stderr, for tools. */
export class RawJsonProgress implements Progress {
  readonly #write: (s: string) => void;
  constructor(write: (s: string) => void = (s) => process.stderr.write(s)) {
    this.#write = write;
  }
  #emit(event: Unstamped): void {
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
