/**
 * RUN --mount=type=bind|cache|tmpfs|secret|ssh,key=value,... (BuildKit's
 * runmount): CSV fields (double quotes allowed), bare `ro`/`rw`/`required`,
 * defaults per type, and validation of every key against its type.
 */
import type { Span } from "../../source/span.ts";
import type { MountSpec, MountType, Word } from "../ast.ts";
import { suggest } from "../edit-distance.ts";
import { report, type TypeContext } from "./context.ts";

const TYPES: readonly MountType[] = ["bind", "cache", "tmpfs", "secret", "ssh"];
const KEYS = [
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

function parseBool(v: string): boolean | undefined {
  const l = v.toLowerCase();
  if (l === "true" || l === "1" || l === "t") return true;
  if (l === "false" || l === "0" || l === "f") return false;
  return undefined;
}

export function parseMount(ctx: TypeContext, w: Word): MountSpec | undefined {
  const span: Span = w.span;
  const fields = csvFields(w.text);
  if (fields === undefined) return report(ctx, "DF029", `unterminated quote in --mount=${w.text}`, span);
  const kv = new Map<string, string | undefined>();
  let ok = true;
  for (const f of fields) {
    if (f.trim() === "") continue;
    const eq = f.indexOf("=");
    const rawKey = (eq < 0 ? f : f.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : f.slice(eq + 1);
    const key = rawKey === "src" ? "source" : rawKey === "dst" || rawKey === "destination" ? "target" : rawKey === "ro" ? "readonly" : rawKey === "rw" ? "readwrite" : rawKey;
    if (!KEYS.includes(rawKey)) {
      const s = suggest(rawKey, KEYS);
      report(ctx, "DF029", `unexpected key '${rawKey}' in '${f}'`, span, s === undefined ? undefined : `did you mean ${s}?`);
      ok = false;
      continue;
    }
    if (value === undefined && key !== "readonly" && key !== "readwrite" && key !== "required") {
      report(ctx, "DF029", `invalid field '${f}' must be a key=value pair`, span);
      ok = false;
      continue;
    }
    kv.set(key, value);
  }
  if (!ok) return undefined;
  const typeText = (kv.get("type") ?? "bind").toLowerCase();
  const type = TYPES.find((t) => t === typeText);
  if (type === undefined) {
    const s = suggest(typeText, TYPES);
    return report(ctx, "DF029", `unsupported mount type "${typeText}"`, span, s === undefined ? "use bind, cache, tmpfs, secret or ssh" : `did you mean ${s}?`);
  }
  for (const k of kv.keys()) {
    if (k !== "type" && !ALLOWED[type].includes(k)) {
      report(ctx, "DF029", `option "${k}" is not supported for a ${type} mount`, span);
      ok = false;
    }
  }
  const boolOf = (k: string): boolean | undefined => {
    if (!kv.has(k)) return undefined;
    const v = kv.get(k);
    if (v === undefined) return true;
    const b = parseBool(v);
    if (b === undefined) {
      report(ctx, "DF029", `invalid value "${v}" for ${k}: expecting true or false`, span);
      ok = false;
    }
    return b;
  };
  const intOf = (k: string, base: number): number | undefined => {
    const v = kv.get(k);
    if (v === undefined) return undefined;
    const re = base === 8 ? /^0?[0-7]+$/ : /^\d+$/;
    if (!re.test(v)) {
      report(ctx, "DF029", `invalid ${k} "${v}": expecting ${base === 8 ? "an octal mode such as 0755" : "a non-negative integer"}`, span);
      ok = false;
      return undefined;
    }
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
    else {
      report(ctx, "DF029", `unsupported sharing value "${sharingText}"`, span, "use shared, private or locked");
      ok = false;
    }
  }
  let size: number | undefined;
  const sizeText = kv.get("size");
  if (sizeText !== undefined) {
    size = parseSize(sizeText);
    if (size === undefined) {
      report(ctx, "DF029", `invalid size "${sizeText}"`, span, "use bytes or a suffix: 64m, 1g");
      ok = false;
    }
  }
  let target = kv.get("target");
  let id = kv.get("id");
  if (type === "secret") {
    if (id === undefined && target !== undefined) id = target.slice(target.lastIndexOf("/") + 1);
    if (target === undefined && id !== undefined && kv.get("env") === undefined) target = `/run/secrets/${id}`;
    if (id === undefined && kv.get("env") === undefined) {
      report(ctx, "DF029", "secret mount requires an id or a target", span);
      ok = false;
    }
  } else if (type === "ssh") {
    id ??= "default";
  } else if (target === undefined) {
    report(ctx, "DF029", `${type} mount requires a target`, span, "add target=/path");
    ok = false;
  }
  if (type === "cache" && id === undefined) id = target;
  if (!ok) return undefined;
  const readonly = rw === true ? false : ro === true ? true : type === "bind";
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
