/**
 * The reliability battery's oracle (../shared/design/RELIABILITY.md). A case runs in an arena: a
 * temp dir holding the store root, the folders the case declares as its own (a build context,
 * an output dir, a rootfs), and beside them the sentinels `victim/hello` and `dest-evil/secret`,
 * all made before a marker file. After the case, `check()` lists what went wrong:
 * - a sentinel changed, or a file appeared beside it;
 * - anything in the arena outside the store and the case's own folders is newer than the marker;
 * - a host file an attack aims at (/etc/passwd, /etc/shadow, /etc/hostname, core_pattern) changed
 *   its bytes, mode, owner or mtime;
 * - `strata system verify` does not exit 0 (when the case has a store).
 * `expectClean(arena)` asserts the list is empty. Cases that must fail check the exit code and
 * message themselves; the oracle says nothing escaped and nothing was lost.
 */
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { strata, tempDir } from "../helpers/strata.ts";

const HOST_FILES = ["/etc/passwd", "/etc/shadow", "/etc/hostname", "/proc/sys/kernel/core_pattern"];

function fingerprint(path: string): string {
  try {
    const st = statSync(path);
    const bytes = createHash("sha256").update(readFileSync(path)).digest("hex");
    // /proc files have no meaningful mtime; their bytes and mode are the point.
    return `${bytes} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${path.startsWith("/proc/") ? "" : st.mtimeMs}`;
  } catch {
    return "(absent)";
  }
}

export interface Arena {
  /** The arena dir. */
  readonly dir: string;
  /** The store root (`--root`). */
  readonly root: string;
  /** The case's own folders, made before the marker: anything may change in them. */
  readonly own: Readonly<Record<string, string>>;
  /** The problems the oracle finds now (see the header). */
  check(): string[];
  cleanup(): void;
}

export interface ArenaOptions {
  /** Folders the case writes in (a context, a rootfs, an output dir). */
  readonly own?: readonly string[];
  /** Run `strata system verify` on the store (default true). */
  readonly verify?: boolean;
  /** Runs before the marker: fill the own folders, seed the store. */
  readonly setup?: (a: { dir: string; root: string; own: Record<string, string> }) => void;
}

export function arena(tag: string, o: ArenaOptions = {}): Arena {
  const dir = tempDir(`rel-${tag}`);
  const root = join(dir, "store");
  const own: Record<string, string> = {};
  for (const name of o.own ?? []) {
    own[name] = join(dir, name);
    mkdirSync(own[name], { recursive: true });
  }
  mkdirSync(join(dir, "victim"));
  writeFileSync(join(dir, "victim", "hello"), "hello\n");
  mkdirSync(join(dir, "dest-evil"));
  writeFileSync(join(dir, "dest-evil", "secret"), "secret\n");
  o.setup?.({ dir, root, own });
  const hosts = new Map(HOST_FILES.map((p) => [p, fingerprint(p)]));
  const marker = join(dir, "marker");
  writeFileSync(marker, "");
  // Everything made so far is older than the marker, even within one clock tick.
  const past = new Date(Date.now() - 2000);
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (p === root || p === marker || Object.values(own).includes(p)) continue;
      utimesSync(p, past, past);
      if (lstatSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  utimesSync(dir, past, past);
  const markerMs = statSync(marker).mtimeMs;
  const outside = new Set(["victim", "victim/hello", "dest-evil", "dest-evil/secret", "marker", "store", ...(o.own ?? [])]);

  return {
    dir,
    root,
    own,
    check() {
      const problems: string[] = [];
      if (readFileSync(join(dir, "victim", "hello"), "utf8") !== "hello\n") problems.push("victim/hello changed");
      if (readFileSync(join(dir, "dest-evil", "secret"), "utf8") !== "secret\n") problems.push("dest-evil/secret changed");
      const scan = (d: string, rel: string): void => {
        for (const e of readdirSync(d)) {
          const r = rel === "" ? e : `${rel}/${e}`;
          const p = join(d, e);
          if (p === root || Object.values(own).includes(p)) continue;
          if (!outside.has(r)) problems.push(`${r} appeared beside the store`);
          const st = lstatSync(p);
          if (r !== "marker" && !st.isDirectory() && st.mtimeMs > markerMs) problems.push(`${r} is newer than the marker`);
          if (st.isDirectory()) scan(p, r);
        }
      };
      scan(dir, "");
      for (const [p, before] of hosts) if (fingerprint(p) !== before) problems.push(`host file ${p} changed`);
      if (o.verify !== false && lstatSync(root, { throwIfNoEntry: false })) {
        const v = strata(root, ["system", "verify"]);
        if (v.code !== 0) problems.push(`strata system verify exited ${v.code}: ${(v.stdout + v.stderr).trim()}`);
      }
      return problems;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The oracle finds nothing. */
export function expectClean(a: Arena): void {
  expect(a.check()).toEqual([]);
}
