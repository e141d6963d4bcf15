/**
 * Go's view of the JSON-shaped values templates run on: how fmt's %v prints them, what is
 * "true" to `if`, and how encoding/json writes them for the `json` function. Objects are
 * Go maps (printed `map[k:v …]` with sorted keys); `undefined` is a missing map key, which
 * Go prints `<no value>`; GoNil stands for a typed nil (a nil slice prints `[]`, a nil map
 * `map[]`) where docker's typed structs have one, so `{{.Config.Entrypoint}}` prints as docker's.
 */

export class GoNil {
  readonly type: "slice" | "map";
  constructor(type: "slice" | "map") {
    this.type = type;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof GoNil);
}

/** fmt.Sprint's %v. */
export function goString(v: unknown, top = true): string {
  if (v === undefined) return "<no value>";
  if (v === null) return "<nil>";
  if (v instanceof GoNil) return v.type === "slice" ? "[]" : "map[]";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return `[${v.map((e) => goString(e, false)).join(" ")}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goString(v[k], false)}`).join(" ")}]`;
  }
  return top ? String(v) : String(v);
}

/** text/template's truth: false, 0, nil and empty strings, slices and maps are false. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null || v instanceof GoNil) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** encoding/json with SetEscapeHTML(false), as docker's `json` template function writes. */
export function goJson(v: unknown): string {
  const text = JSON.stringify(v === undefined ? null : v, (_k, x: unknown) => (x instanceof GoNil || x === undefined ? null : x));
  // Go escapes the two JavaScript line terminators; JSON.stringify leaves them raw.
  return text.replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
