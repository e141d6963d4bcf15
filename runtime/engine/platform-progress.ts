/**
 * The progress of one platform's build in a multi-platform build (build-platforms.ts): each step's
 * name carries the platform as buildx prints it (`[linux/arm64 stage-1 1/2] RUN …`, a name without
 * brackets gets `[linux/arm64] ` before it), and step numbers go on from the platforms built
 * before, so one sink shows every platform's steps apart. close() is the caller's, once at the end.
 */
import type { Progress } from "./exec/progress.ts";

/** A sink for each platform in turn, all reporting to `sink`. */
export function platformProgress(sink: Progress): (platform: string) => Progress {
  let last = 0;
  return (platform) => {
    const offset = last;
    const id = (n: number): number => {
      last = Math.max(last, offset + n);
      return offset + n;
    };
    return {
      start: (n, label) => sink.start(id(n), label.startsWith("[") ? `[${platform} ${label.slice(1)}` : `[${platform}] ${label}`),
      output: (n, chunk) => sink.output(id(n), chunk),
      cached: (n) => sink.cached(id(n)),
      done: (n, seconds) => sink.done(id(n), seconds),
      failed: (n, message) => sink.failed(id(n), message),
      info: (message) => sink.info(message),
      close: () => undefined,
    };
  };
}
