/**
 * RUN --mount=type=bind|cache|tmpfs|secret|ssh,key=value,... (BuildKit's
 * runmount): CSV fields (double quotes allowed), bare `ro`/`rw`/`required`,
 * defaults per type, and validation of every key against its type.
 *
 * Two steps, as BuildKit's parseMount with and without its expander: the
 * fields (`mountFields`: CSV, known keys, `key=value` shape, no variable in
 * `from`) at parse time, and the typed mount (`typeMount`) from the values
 * once expanded. A flag with literal values only is typed at parse time too
 * (`parseMount`), so `strata check` sees its errors; one whose values name a
 * variable is typed at lowering, with the stage's ARG/ENV.
 *
 * An empty target is allowed for bind, cache and tmpfs: lowering mounts at
 * the working directory, as BuildKit does (`--mount=from=stage` alone).
 */
import type { Span } from "../../source/span.ts";
import type { MountField, MountFlag, MountSpec, MountType, Word } from "../ast.ts";
import { suggest } from "../edit-distance.ts";
import { report, type TypeContext } from "./context.ts";

const TYPES: readonly MountType[] = ["bind", "cache", "tmpfs", "secret", "ssh"];
const KEYS: readonly string[] = [
  "type", "from", "source", "src", "target", "dst", "destination", "readonly", "ro", "readwrite", "rw",
  "id", "sharing", "mode", "uid", "gid", "required", "env", "size",
];
/** Which keys each mount type accepts (beyond type). */
const ALLOWED: Record<MountType, readonly string[]> = {
  bind: ["from", "source", "target", "readonly", "readwrite"],
  cache: ["from", "source", "target", "readonly", "readwrite", "id", "sharing", "mode", "uid", "gid"],
  tmpfs: ["target", "size"],
  secret: ["target", "id", "required", "mode", "uid", "gid", "env"],
  ssh: ["target", "id", "required", "mode", "uid", "gid"],
};

function csvFields(s: string): string[] | undefined {
  const out: string[] = [];
  let cur = "";
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          cur += '"';
          i++;
        } else q = false;
      } else cur += c;
    } else if (c === '"' && cur === "") q = true;
    else if (c === ",") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (q) return undefined;
  out.push(cur);
  return out;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i;

/** docker/go-units RAMInBytes: 1024-based suffixes. */
export function parseSize(s: string): number | undefined {
  const m = SIZE.exec(s.trim());
  if (m === null) return undefined;
  const pow = "bkmgtp".indexOf((m[2] || "b").toLowerCase());
  return Math.floor(Number(m[1]) * 1024 ** Math.max(0, pow));
}

const CANONICAL: Record<string, string> = { src: "source", dst: "target", destination: "target", ro: "readonly", rw: "readwrite" };

function parseBool(v: string): boolean | undefined {
  const l = v.toLowerCase();
  if (l === "true" || l === "1" || l === "t") return true;
  if (l === "false" || l === "0" || l === "f") return false;
  return undefined;
}

/** The fields of `--mount=<w>`, or undefined after reporting why they are not (values unexpanded). */
export function mountFields(ctx: TypeContext, w: Word): MountField[] | undefined {
  const span: Span = w.span;
  const fields = csvFields(w.text);
  if (fields === undefined) return report(ctx, "DF029", `unterminated quote in --mount=${w.text}`, span);
  const out: MountField[] = [];
  let ok = true;
  for (const f of fields) {
    if (f.trim() === "") continue;
    const eq = f.indexOf("=");
    const rawKey = (eq < 0 ? f : f.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : f.slice(eq + 1);
    const key = CANONICAL[rawKey] ?? rawKey;
    if (!KEYS.includes(rawKey)) {
      const s = suggest(rawKey, KEYS);
      report(ctx, "DF029", `unexpected key '${rawKey}' in '${f}'`, span, s === undefined ? undefined : `did you mean ${s}?`);
      ok = false;
    } else if (value === undefined && key !== "readonly" && key !== "readwrite" && key !== "required") {
      report(ctx, "DF029", `invalid field '${f}' must be a key=value pair`, span);
      ok = false;
    } else if (key === "from" && value !== undefined && /\$./.test(value)) {
      // BuildKit resolves mount sources before expansion (its words).
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the hint shows Dockerfile syntax.
      report(ctx, "DF029", "'from' doesn't support variable expansion, define alias stage instead", span, "FROM ${VAR} AS name, then from=name");
      ok = false;
    } else out.push({ key, value });
  }
  return ok ? out : undefined;
}

/** `--mount=<w>` at parse time: its fields, typed now when no value names a variable. */
export function parseMount(ctx: TypeContext, w: Word): MountFlag | undefined {
  const fields = mountFields(ctx, w);
  if (fields === undefined) return undefined;
  // Expansion may change a value with a variable, a quote or an escape: typed at lowering, after it.
  if (fields.some((f) => f.value !== undefined && /[$'"\\`]/.test(f.value))) return { fields, span: w.span, literal: undefined };
  const literal = typeMount(fields, w.span, (message, hint) => report(ctx, "DF029", message, w.span, hint));
  return literal === undefined ? undefined : { fields, span: w.span, literal };
}

/**
 * The mount the (expanded) fields give, with each type's defaults; `fail` hears every problem.
 * A cache's id stays unset when not given: lowering defaults it to the target as written.
 */
export function typeMount(fields: readonly MountField[], span: Span, fail: (message: string, hint?: string) => void): MountSpec | undefined {
  const kv = new Map<string, string | undefined>(fields.map((f) => [f.key, f.value]));
  let ok = true;
  const bad = (message: string, hint?: string): undefined => {
    fail(message, hint);
    ok = false;
    return undefined;
  };
  const typeText = kv.get("type") ?? "bind";
  const type = TYPES.find((t) => t === typeText.toLowerCase());
  if (type === undefined) {
    const s = suggest(typeText.toLowerCase(), TYPES);
    return bad(`unsupported mount type "${typeText}"`, s === undefined ? "use bind, cache, tmpfs, secret or ssh" : `did you mean ${s}?`);
  }
  for (const k of kv.keys()) if (k !== "type" && !ALLOWED[type].includes(k)) bad(`option "${k}" is not supported for a ${type} mount`);
  const boolOf = (k: string): boolean | undefined => {
    if (!kv.has(k)) return undefined;
    const v = kv.get(k);
    if (v === undefined) return true;
    return parseBool(v) ?? bad(`invalid value "${v}" for ${k}: expecting true or false`);
  };
  const intOf = (k: string, base: number): number | undefined => {
    const v = kv.get(k);
    if (v === undefined) return undefined;
    const re = base === 8 ? /^0?[0-7]+$/ : /^\d+$/;
    if (!re.test(v)) return bad(`invalid ${k} "${v}": expecting ${base === 8 ? "an octal mode such as 0755" : "a non-negative integer"}`);
    return Number.parseInt(v, base);
  };
  const ro = boolOf("readonly");
  const rw = boolOf("readwrite");
  const required = boolOf("required");
  const mode = intOf("mode", 8);
  const uid = intOf("uid", 10);
  const gid = intOf("gid", 10);
  const sharingText = kv.get("sharing");
  let sharing: MountSpec["sharing"];
  if (sharingText !== undefined) {
    const s = sharingText.toLowerCase();
    if (s === "shared" || s === "private" || s === "locked") sharing = s;
    else bad(`unsupported sharing value "${sharingText}"`, "use shared, private or locked");
  }
  const sizeText = kv.get("size");
  const size = sizeText === undefined ? undefined : (parseSize(sizeText) ?? bad(`invalid size "${sizeText}"`, "use bytes or a suffix: 64m, 1g"));
  let target = kv.get("target");
  let id = kv.get("id");
  if (type === "secret") {
    if (id === undefined && target !== undefined) id = target.slice(target.lastIndexOf("/") + 1);
    if (target === undefined && id !== undefined && kv.get("env") === undefined) target = `/run/secrets/${id}`;
    if (id === undefined && kv.get("env") === undefined) bad("secret mount requires an id or a target");
  } else if (type === "ssh") {
    id ??= "default";
  }
  if (!ok) return undefined;
  const readonly = rw !== undefined ? !rw : (ro ?? type === "bind");
  return {
    type,
    target,
    source: kv.get("source"),
    from: kv.get("from"),
    readonly,
    id,
    sharing: type === "cache" ? (sharing ?? "shared") : undefined,
    mode,
    uid,
    gid,
    required,
    env: kv.get("env"),
    size,
    span,
  };
}
