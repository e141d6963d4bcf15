import { parseChmod as checkChmod } from "../../../../compiler/ir/config-values.ts";
import { CopyError } from "../../context/copy-error.ts";
/**
 * `--chmod`: octal (`755`, `0644`, up to 07777) or symbolic as chmod(1)
 * (`+x`, `u=rwX,go=rX`, `g=u`; BuildKit ≥ 1.14). A clause without `ugoa`
 * applies to all (no umask, as BuildKit). `X` adds execute only for
 * directories and files already executable by someone. The result is a
 * function of the source mode and whether the entry is a directory.
 */
export type ModeFn = (mode: number, isDir: boolean) => number;

const CLASS_BITS = { u: 0o4700, g: 0o2070, o: 0o1007 } as const;
const ALL = 0o7777;

function bitsFor(who: string, perms: string, mode: number, isDir: boolean): number {
  let bits = 0;
  for (const p of perms) {
    if (p === "r") bits |= 0o444;
    else if (p === "w") bits |= 0o222;
    else if (p === "x") bits |= 0o111;
    else if (p === "X") bits |= isDir || (mode & 0o111) !== 0 ? 0o111 : 0;
    else if (p === "s") bits |= (who.includes("u") ? 0o4000 : 0) | (who.includes("g") ? 0o2000 : 0);
    else if (p === "t") bits |= 0o1000;
  }
  return bits;
}

function copyClass(from: string, mode: number): number {
  const v = from === "u" ? (mode >> 6) & 7 : from === "g" ? (mode >> 3) & 7 : mode & 7;
  return (v << 6) | (v << 3) | v;
}

function symbolic(spec: string): ModeFn {
  const clauses = spec.split(",").map((c) => {
    const m = /^([ugoa]*)((?:[-+=](?:[ugo]|[rwxXst]*))+)$/.exec(c);
    if (!m) throw new CopyError("COPY_CHMOD", `invalid chmod parameter: '${spec}'. it should be octal string and between 0 and 07777, or a symbolic mode such as u+x`);
    const who = (m[1] ?? "") === "" || (m[1] ?? "").includes("a") ? "ugo" : (m[1] as string);
    const mask = [...who].reduce((acc, w) => acc | CLASS_BITS[w as "u" | "g" | "o"], 0);
    const actions = [...(m[2] as string).matchAll(/([-+=])([ugo]|[rwxXst]*)/g)].map((a) => ({ op: a[1] as string, perms: a[2] as string }));
    return { who, mask, actions };
  });
  return (start, isDir) => {
    let mode = start & ALL;
    for (const { who, mask, actions } of clauses) {
      for (const { op, perms } of actions) {
        const bits = (/^[ugo]$/.test(perms) ? copyClass(perms, mode) : bitsFor(who, perms, mode, isDir)) & mask;
        if (op === "+") mode |= bits;
        else if (op === "-") mode &= ~bits;
        else mode = (mode & ~(mask & (isDir ? 0o1777 : ALL))) | bits;
      }
    }
    return mode;
  };
}

/** Parses `--chmod` (checked as the front end checks it, compiler/ir/config-values.ts) into a function of (source mode, is directory). */
export function parseChmod(spec: string): ModeFn {
  const m = checkChmod(spec);
  if (!m.ok) throw new CopyError("COPY_CHMOD", m.message);
  if (m.value.kind === "octal") {
    const v = m.value.mode;
    return () => v;
  }
  return symbolic(m.value.text);
}
