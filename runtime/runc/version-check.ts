/**
 * The preflight's runc check: the runc Strata runs (binary.ts) is present and not open to
 * CVE-2024-21626 (fds leaked into the container, `WORKDIR /proc/self/fd/N` reaching the
 * host): version 1.1.12 or later, or a distribution build known to carry the fix. It runs
 * `runc --version` once per process; its output is bounded.
 */
import { execFile } from "node:child_process";
import { StrataError } from "../errors/error.ts";
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

let checked: Promise<RuncVersion> | undefined;

/** Throws ENV_RUNC_MISSING or ENV_RUNC_TOO_OLD (exit 2) unless a fixed runc is there; once per process. */
export function checkRunc(): Promise<RuncVersion> {
  checked ??= (async () => {
    const bin = runcBinary();
    const out = await runVersion(bin);
    const v = parseRuncVersion(out);
    if (v === undefined) throw new StrataError("ENV_RUNC_MISSING", `${bin} --version does not print a runc version: ${JSON.stringify(out.split("\n")[0]?.slice(0, 80) ?? "")}`);
    if (!v.fixed) throw new StrataError("ENV_RUNC_TOO_OLD", `runc ${v.version} (${bin}) is older than ${MIN_RUNC.join(".")} and open to CVE-2024-21626: upgrade runc, or set STRATA_RUNC to a newer one`);
    return v;
  })();
  return checked;
}
