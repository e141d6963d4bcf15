/**
 * The preflight's runc check: the runc Strata runs (binary.ts) is present and not open to
 * CVE-2024-21626 (fds leaked into the container, `WORKDIR /proc/self/fd/N` reaching the
 * host): version 1.1.12 or later, or a distribution build known to carry the fix. It runs
 * `runc --version` (its output bounded) once per process, and only when the store has no
 * record that this very binary (path, inode, size, times) passed: builds stay as quick as
 * they were. A failure is never recorded.
 */
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, readFile, stat } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { StrataError } from "../errors/error.ts";
import { atomicWrite } from "../fs/atomic-write.ts";
import { runcBinary } from "./binary.ts";

/** The first runc release with the fix for CVE-2024-21626. */
export const MIN_RUNC = [1, 1, 12] as const;

/** Distribution builds of an older runc that carry the fix (their `runc --version` commit line). */
const BACKPORTS: readonly { readonly version: string; readonly commit: RegExp }[] = [
  // Debian 12's DSA-5615-1: 1.1.5+ds1-1+deb12u1.
  { version: "1.1.5", commit: /^commit: 1\.1\.5\+ds1-\d+\+deb12u[1-9]\d*$/m },
];

export interface RuncVersion {
  readonly version: string;
  /** Whether it carries the CVE-2024-21626 fix. */
  readonly fixed: boolean;
}

/** Reads `runc --version` output (runc's own format: `runc version X`, then `commit: …`). */
export function parseRuncVersion(text: string): RuncVersion | undefined {
  const m = /^runc version v?(\d+)\.(\d+)\.(\d+)(\S*)/m.exec(text);
  if (!m) return undefined;
  const parts = [Number(m[1]), Number(m[2]), Number(m[3])];
  const version = `${parts.join(".")}${m[4] ?? ""}`;
  let cmp = 0;
  for (let i = 0; i < 3 && cmp === 0; i++) cmp = (parts[i] as number) - (MIN_RUNC[i] as number);
  const base = parts.join(".");
  return { version, fixed: cmp >= 0 || BACKPORTS.some((b) => b.version === base && b.commit.test(text)) };
}

function runVersion(bin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, ["--version"], { encoding: "utf8", timeout: 10_000, maxBuffer: 64 << 10 }, (err, stdout) => {
      if (err === null) return resolve(stdout);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return reject(new StrataError("ENV_RUNC_MISSING", `runc not found: ${bin} is not ${bin.includes("/") ? "there" : "on PATH"} (install runc 1.1.12 or later, or set STRATA_RUNC to its path)`));
      if (code === "EACCES") return reject(new StrataError("ENV_RUNC_MISSING", `runc ${bin} cannot be executed: permission denied (set STRATA_RUNC to a runc 1.1.12 or later)`));
      reject(new StrataError("ENV_RUNC_MISSING", `runc ${bin} does not run: \`${bin} --version\` failed: ${err.message.split("\n")[0]}`));
    });
  });
}

/** Where `bin` is: itself when it names a path, else the first executable of that name on PATH. */
async function locate(bin: string): Promise<string | undefined> {
  const candidates = bin.includes("/") ? [bin] : (process.env.PATH ?? "").split(delimiter).filter((d) => d !== "").map((d) => join(d, bin));
  for (const c of candidates) {
    const ok = await access(c, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok && (await stat(c).catch(() => undefined))?.isFile()) return c;
  }
  return undefined;
}

const checked = new Map<string, Promise<RuncVersion>>();

/** Where a store records a runc that passed (StoreLayout's fields: runc/ sits below store/). */
export interface RuncRecord {
  readonly root: string;
  readonly runcProbe: string;
  readonly tmp: string;
}

/**
 * Throws ENV_RUNC_MISSING or ENV_RUNC_TOO_OLD (exit 2) unless a fixed runc is there; once per
 * process and store.
 */
export function checkRunc(layout: RuncRecord): Promise<RuncVersion> {
  let done = checked.get(layout.root);
  done ??= (async () => {
    const bin = runcBinary();
    const path = await locate(bin);
    const st = path === undefined ? undefined : await stat(path).catch(() => undefined);
    const key = st === undefined ? undefined : `${path} ino=${st.ino} size=${st.size} mtime=${st.mtimeMs} ctime=${st.ctimeMs}\n`;
    const record = key === undefined ? "" : await readFile(layout.runcProbe, "utf8").catch(() => "");
    if (key !== undefined && record.startsWith(key)) return { version: record.slice(key.length).trim(), fixed: true };
    const out = await runVersion(path ?? bin);
    const v = parseRuncVersion(out);
    if (v === undefined) throw new StrataError("ENV_RUNC_MISSING", `${bin} --version does not print a runc version: ${JSON.stringify(out.split("\n")[0]?.slice(0, 80) ?? "")}`);
    if (!v.fixed) throw new StrataError("ENV_RUNC_TOO_OLD", `runc ${v.version} (${bin}) is older than ${MIN_RUNC.join(".")} and open to CVE-2024-21626: upgrade runc, or set STRATA_RUNC to a newer one`);
    if (key !== undefined) await atomicWrite(layout.runcProbe, `${key}${v.version}\n`, layout.tmp);
    return v;
  })();
  checked.set(layout.root, done);
  return done;
}
