/** ExposeProtoCasing and ExposeInvalidFormat: what an EXPOSE port word may look like. */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { expandWord } from "../../shell/index.ts";
import { finding, RULES } from "../rules.ts";
import type { Check } from "../types.ts";

/** The port as written, with variables expanded to their defaults (`${P:-80}` → 80) or nothing. */
function portText(text: string, esc: "\\" | "`"): string {
  if (!text.includes("$")) return text;
  const r = expandWord(text, () => undefined, { escape: esc });
  return r.ok ? r.value : text;
}

export const exposeProtoCasing: Check = (ast, instructions) => {
  const out: Diagnostic[] = [];
  for (const ins of instructions) {
    if (ins.kind !== "EXPOSE") continue;
    for (const w of ins.ports) {
      const port = portText(w.text, ast.escape);
      const slash = port.indexOf("/");
      if (slash >= 0 && port.slice(slash + 1) !== port.slice(slash + 1).toLowerCase()) {
        out.push(finding(RULES.ExposeProtoCasing, ast.file, w.span, w.text));
      }
    }
  }
  return out;
};

export const exposeInvalidFormat: Check = (ast, instructions) => {
  const out: Diagnostic[] = [];
  for (const ins of instructions) {
    if (ins.kind !== "EXPOSE") continue;
    for (const w of ins.ports) {
      if (portText(w.text, ast.escape).includes(":")) out.push(finding(RULES.ExposeInvalidFormat, ast.file, w.span, w.text));
    }
  }
  return out;
};
