/**
 * SecretsUsedInArgOrEnv: an ARG or ENV whose name says it holds a secret.
 *
 * BuildKit's rule, exactly: moby/buildkit frontend/dockerfile/dockerfile2llb/validations.go,
 * `getSecretsRegex` and `validateNoSecretKey` (commit 22aa6bc5ea1dd97ac8543b1ce1ef6b30d979a1fa).
 * A name is flagged when a deny token is the whole name or a whole `_`-separated part of it
 * (case-insensitive), and no allow token is: so TOKEN, GITHUB_TOKEN and auth are flagged,
 * TOKENIZER is not, and public_token, SECRET_PASSPHRASE_FILE and AUTH_MODULE_VERSION are not.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { finding, RULES } from "../rules.ts";
import { isSecretName } from "../../ir/secret-names.ts";
import type { Check } from "../types.ts";

export { isSecretName, SECRET_ALLOW_TOKENS, SECRET_DENY_TOKENS } from "../../ir/secret-names.ts";

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
