import { PlainProgress } from "./plain.ts";
import { type Progress, QuietProgress } from "../../engine/exec/progress.ts";
import { RawJsonProgress } from "./rawjson.ts";
import { TtyProgress } from "./tty.ts";

export type ProgressMode = "auto" | "tty" | "plain" | "quiet" | "rawjson";

/** `--progress`: auto picks the live view only when stderr is a terminal. */
export function createProgress(mode: ProgressMode): Progress {
  switch (mode) {
    case "quiet":
      return new QuietProgress();
    case "rawjson":
      return new RawJsonProgress();
    case "tty":
      return new TtyProgress();
    case "plain":
      return new PlainProgress();
    default:
      return process.stderr.isTTY ? new TtyProgress() : new PlainProgress();
  }
}

export type { Progress } from "../../engine/exec/progress.ts";
