/**
 * Creating device nodes and fifos, which Node cannot do itself (no mknod(2) binding).
 *
 * All nodes of one layer are made by a single `sh` running coreutils `mknod` in a loop,
 * in chunks that stay well under ARG_MAX, so a layer with a handful of whiteouts costs one
 * process spawn (~2 ms) and none at all when it has no special files. The caller must have
 * verified that every parent directory is a real directory inside the root: `mknod` follows
 * symlinks in the parent path.
 */
import { spawn } from "node:child_process";
import { StrataError } from "../errors/error.ts";

export interface NodeSpec {
  /** Absolute path of the node to create (must not exist). */
  path: string;
  kind: "char" | "block" | "fifo";
  major: number;
  minor: number;
}

const SCRIPT = `set -e
while [ $# -gt 0 ]; do
  if [ "$2" = p ]; then mknod -m 0 -- "$1" p; else mknod -m 0 -- "$1" "$2" "$3" "$4"; fi
  shift 4
done`;

const CHUNK = 2000;

export async function makeNodes(nodes: readonly NodeSpec[]): Promise<void> {
  for (let i = 0; i < nodes.length; i += CHUNK) {
    const args: string[] = [];
    for (const n of nodes.slice(i, i + CHUNK)) {
      args.push(n.path, n.kind === "char" ? "c" : n.kind === "block" ? "b" : "p", String(n.major), String(n.minor));
    }
    await run(args);
  }
}

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", SCRIPT, "mknod-batch", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => {
      if (stderr.length < 4096) stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new StrataError("IO_ERROR", `mknod failed (exit ${code}): ${stderr.trim()}`));
    });
  });
}
