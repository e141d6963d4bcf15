/** LegacyKeyValueFormat and SecretsUsedInArgOrEnv: the names and forms of ENV, LABEL and ARG. */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { finding, RULES } from "../rules.ts";
import type { Check } from "../types.ts";

/** `ENV key value` / `LABEL key value`: the whitespace form is ambiguous and legacy. */
export const legacyKeyValueFormat: Check = (ast, instructions) => {
  const out: Diagnostic[] = [];
  for (const ins of instructions) {
    if (ins.kind !== "ENV" && ins.kind !== "LABEL") continue;
    for (const p of ins.pairs) if (p.legacy) out.push(finding(RULES.LegacyKeyValueFormat, ast.file, p.span, ins.kind));
  }
  return out;
};

/**
 * Words that mark a secret when they are a whole `_`-separated part of the
 * name (so TOKEN and GITHUB_TOKEN match, TOKENIZER does not), unless the name
 * also has a part saying it is public.
 */
const DENY = /(?:^|_)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/i;
const ALLOW = /(?:^|_)public(?:_|$)/i;

export function isSecretName(name: string): boolean {
  return DENY.test(name) && !ALLOW.test(name);
}

export const secretsUsedInArgOrEnv: Check = (ast, instructions) => {
  const out: Diagnostic[] = [];
  for (const ins of instructions) {
    if (ins.kind === "ENV") {
      for (const p of ins.pairs) if (isSecretName(p.key)) out.push(finding(RULES.SecretsUsedInArgOrEnv, ast.file, p.span, "ENV", p.key));
    } else if (ins.kind === "ARG") {
      for (const d of ins.args) if (isSecretName(d.name)) out.push(finding(RULES.SecretsUsedInArgOrEnv, ast.file, d.span, "ARG", d.name));
    }
  }
  return out;
};
