import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { encodeHeader, padding } from "../../runtime/layer/tar-format.ts";
export { strataAsync } from "../helpers/strata.ts";

export function writeTree(dir: string, files: Record<string, string | Buffer>): void {
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
}

/** A shell line printing `path mode uid:gid type nlink` for each path (busybox stat), or `path missing`. */
export function statScript(paths: readonly string[]): string {
  return paths.map((p) => `if [ -e '${p}' ] || [ -L '${p}' ]; then stat -c '%n %a %u:%g %F %h %Y' '${p}'; else echo '${p} missing'; fi`).join("; ");
}

/** Parses statScript output into path → { mode, owner, type, links, mtime } (or "missing"). */
export function parseStats(out: string): Map<string, { mode: string; owner: string; type: string; links: number; mtime: number } | "missing"> {
  const m = new Map<string, { mode: string; owner: string; type: string; links: number; mtime: number } | "missing">();
  for (const line of out.split("\n")) {
    const miss = /^(\S+) missing$/.exec(line);
    if (miss) {
      m.set(miss[1] as string, "missing");
      continue;
    }
    const r = /^(\S+) (\d+) (\d+:\d+) (.+) (\d+) (\d+)$/.exec(line);
    if (r) m.set(r[1] as string, { mode: r[2] as string, owner: r[3] as string, type: r[4] as string, links: Number(r[5]), mtime: Number(r[6]) });
  }
  return m;
}

export interface TarSpec {
  name: string;
  type?: "file" | "dir" | "symlink" | "link";
  content?: string;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  xattrs?: Record<string, Buffer>;
}

/** A tar archive built by hand (so it can hold the entries real tools refuse to write). */
export function makeTar(entries: readonly TarSpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.content ?? "");
    const type = e.type ?? "file";
    parts.push(
      encodeHeader({
        name: e.name,
        type,
        mode: e.mode ?? (type === "dir" ? 0o755 : 0o644),
        uid: e.uid ?? 0,
        gid: e.gid ?? 0,
        size: type === "file" ? data.length : 0,
        mtime: e.mtime ?? 1_234_567_890,
        linkname: e.linkname ?? "",
        devmajor: 0,
        devminor: 0,
        xattrs: new Map(Object.entries(e.xattrs ?? {})),
      }),
    );
    if (type === "file") parts.push(data, Buffer.alloc(padding(data.length)));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
