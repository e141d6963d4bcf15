import { PlainProgress } from "./plain.ts";
import { type Progress, QuietProgress } from "../../engine/exec/progress.ts";
import { StrataError } from "../../errors/error.ts";
import { RawJsonProgress } from "./rawjson.ts";
import { TtyProgress } from "./tty.ts";

export const PROGRESS_MODES = ["auto", "tty", "plain", "quiet", "rawjson"] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

/**
 * The progress mode: `--progress` when given, else $BUILDKIT_PROGRESS (as buildx reads it),
 * else auto. A BUILDKIT_PROGRESS that names no mode is a usage error before any work.
 */
export function progressMode(flag: ProgressMode | undefined, env: string | undefined = process.env.BUILDKIT_PROGRESS): ProgressMode {
  if (flag !== undefined) return flag;
  if (env === undefined || env === "") return "auto";
  if ((PROGRESS_MODES as readonly string[]).includes(env)) return env as ProgressMode;
  throw new StrataError("USAGE", `invalid progress mode "${env}" in BUILDKIT_PROGRESS: use ${PROGRESS_MODES.join(", ")}`);
}

/** Whether a live view can be drawn on the stream: a terminal that knows its width (a 0×0 pty, as CI runners' `script`, does not). */
export function drawable(stream: { isTTY?: boolean; columns?: number } = process.stderr): boolean {
  return stream.isTTY === true && (stream.columns ?? 0) > 0;
}

/** The reporter of a mode: auto (and tty) draw the live view only where it can be drawn, else print plain lines. */
export function createProgress(mode: ProgressMode): Progress {
  switch (mode) {
    case "quiet":
      return new QuietProgress();
    case "rawjson":
      return new RawJsonProgress();
    case "plain":
      return new PlainProgress();
    default:
      return drawable() ? new TtyProgress() : new PlainProgress();
  }
}

export type { Progress } from "../../engine/exec/progress.ts";
