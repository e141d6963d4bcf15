/**
 * The functions a `--format` template can call: text/template's builtins that scripts use
 * (and, or, not, len, index, slice, eq, ne, lt, le, gt, ge, print, printf, println) and
 * docker's own (docker/cli templates: json, split, join, title, lower, upper, pad, truncate).
 */
import { GoNil, goJson, goString, isObject, truth } from "./value.ts";

export type TemplateFunction = (...args: unknown[]) => unknown;

class CallError extends Error {}

function str(v: unknown): string {
  return typeof v === "string" ? v : goString(v);
}

function int(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new CallError(`${what}: expected an integer; got ${goString(v)}`);
  return v;
}

/** fmt.Sprint: a space between operands when neither is a string. */
function sprint(args: unknown[]): string {
  let out = "";
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += goString(a);
  });
  return out;
}

/** fmt.Sprintf for the verbs scripts use: %s %v %d %q %t %%, with widths like %-10s. */
function sprintf(format: unknown, ...args: unknown[]): string {
  let k = 0;
  return str(format).replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([svdqtx%])/g, (_m, flags: string, width: string, _prec: string, verb: string) => {
    if (verb === "%") return "%";
    if (k >= args.length) return `%!${verb}(MISSING)`;
    const a = args[k++];
    let s = verb === "q" ? JSON.stringify(str(a)) : verb === "x" && typeof a === "number" ? a.toString(16) : goString(a);
    const w = Number(width || 0);
    if (s.length < w) s = flags.includes("-") ? s.padEnd(w) : s.padStart(w, flags.includes("0") && typeof a === "number" ? "0" : " ");
    return s;
  });
}

function compare(op: string, a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b && !(a == null && b == null)) throw new CallError(`error calling ${op}: incompatible types for comparison`);
  if (op === "eq") return a === b;
  if (op === "ne") return a !== b;
  const x = a as number | string;
  const y = b as number | string;
  return op === "lt" ? x < y : op === "le" ? x <= y : op === "gt" ? x > y : x >= y;
}

function index(v: unknown, ...keys: unknown[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (Array.isArray(cur) || typeof cur === "string") {
      // A string indexes its bytes, as Go's.
      const items = typeof cur === "string" ? [...Buffer.from(cur)] : cur;
      const i = int(k, "error calling index");
      if (i < 0 || i >= items.length) throw new CallError(`error calling index: index out of range: ${i}`);
      cur = items[i];
    } else if (isObject(cur) || (cur instanceof GoNil && cur.type === "map")) {
      // A key the map lacks gives the zero value of docker's map[string]string: "".
      const v = isObject(cur) ? cur[str(k)] : undefined;
      cur = v === undefined ? "" : v;
    }
    else throw new CallError(`error calling index: can't index item of type ${cur === undefined || cur === null ? "nil" : typeof cur}`);
  }
  return cur;
}

function len(v: unknown): number {
  if (typeof v === "string") return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (isObject(v)) return Object.keys(v).length;
  if (v === null || v === undefined || typeof v === "object") return 0;
  throw new CallError(`error calling len: len of type ${typeof v}`);
}

function slice(v: unknown, ...ix: unknown[]): unknown {
  const n = ix.map((x) => int(x, "error calling slice"));
  if (typeof v === "string" || Array.isArray(v)) return v.slice(n[0] ?? 0, n[1]);
  throw new CallError("error calling slice: can't slice item");
}

/** strings.Title: the first letter of each word upper-cased. */
function title(s: unknown): string {
  return str(s).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase());
}

export const FUNCTIONS: Readonly<Record<string, TemplateFunction>> = {
  and: (...a) => a.find((x) => !truth(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truth(x)) ?? a[a.length - 1],
  not: (a) => !truth(a),
  len,
  index,
  slice,
  eq: (a, ...bs) => bs.some((b) => compare("eq", a, b)),
  ne: (a, b) => compare("ne", a, b),
  lt: (a, b) => compare("lt", a, b),
  le: (a, b) => compare("le", a, b),
  gt: (a, b) => compare("gt", a, b),
  ge: (a, b) => compare("ge", a, b),
  print: (...a) => sprint(a),
  printf: sprintf,
  // fmt.Sprintln: always a space between operands, and a newline.
  println: (...a) => `${a.map((x) => goString(x)).join(" ")}\n`,
  json: (v) => goJson(v),
  split: (s, sep) => str(s).split(str(sep)),
  join: (list, sep) => {
    if (!Array.isArray(list)) throw new CallError(`error calling join: wrong type for value; expected []string; got ${goString(list)}`);
    return list.map(str).join(str(sep));
  },
  title,
  lower: (s) => str(s).toLowerCase(),
  upper: (s) => str(s).toUpperCase(),
  pad: (s, before, after) => `${" ".repeat(int(before, "pad"))}${str(s)}${" ".repeat(int(after, "pad"))}`,
  truncate: (s, n) => [...str(s)].slice(0, int(n, "truncate")).join(""),
};

export { CallError };
