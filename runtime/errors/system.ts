/**
 * System call errors (Node's errno errors) in the runtime's words: strerror(3)'s text, the
 * call and the path. Node leaves the path out of an error from a call on a file descriptor
 * (write, fsync on a full disk): whoever holds the descriptor adds it (`withPath`), so the one
 * line the user sees names the file (issue 15, item 5).
 */
import { StrataError } from "./error.ts";

/** What the errno codes Node reports say, in the words of strerror(3). */
export const ERRNO: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EEXIST: "file exists",
  ENOTDIR: "not a directory",
  EISDIR: "is a directory",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EBUSY: "device or resource busy",
  EMFILE: "too many open files",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  EXDEV: "invalid cross-device link",
  ENOTEMPTY: "directory not empty",
  EIO: "input/output error",
};

/** An errno error (code E…), as Node throws them. */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && !(e instanceof StrataError) && typeof (e as NodeJS.ErrnoException).code === "string" && /^E[A-Z0-9]+$/.test((e as NodeJS.ErrnoException).code as string);
}

/** `write /path: no space left on device` (Node's own message when it knows no path). */
export function systemMessage(e: NodeJS.ErrnoException): string {
  const what = ERRNO[e.code as string] ?? e.code;
  return e.path !== undefined ? `${e.syscall ? `${e.syscall} ` : ""}${e.path}: ${what}` : e.message;
}

/** `e`, with `path` as its path when it is a system error that names none. */
export function withPath(e: unknown, path: string): unknown {
  if (isSystemError(e) && e.path === undefined) e.path = path;
  return e;
}

/**
 * A system error as an IO_ERROR whose message says what it was doing (`context`, naming the
 * blob or file), then the call and path; other errors as they are.
 */
export function inContext(e: unknown, context: string): unknown {
  if (!isSystemError(e)) return e;
  return new StrataError("IO_ERROR", `${context}: ${systemMessage(e)}`, { cause: e });
}
