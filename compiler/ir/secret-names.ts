/**
 * Names that say they hold a secret, BuildKit's rule exactly (moby/buildkit
 * frontend/dockerfile/dockerfile2llb/validations.go, `getSecretsRegex`): the
 * SecretsUsedInArgOrEnv lint check (compiler/lint/checks/secrets.ts) flags
 * them, and RUN's history `created_by` leaves their values out
 * (compiler/lower/created-by.ts).
 */

/** BuildKit's deny tokens (`secretTokens`). */
export const SECRET_DENY_TOKENS = ["apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token"] as const;
/** BuildKit's allow tokens (`allowTokens`). */
export const SECRET_ALLOW_TOKENS = ["public", "file", "version"] as const;

const part = (tokens: readonly string[]): RegExp => new RegExp(`(?:_|^)(?:${tokens.join("|")})(?:_|$)`, "i");
const DENY = part(SECRET_DENY_TOKENS);
const ALLOW = part(SECRET_ALLOW_TOKENS);

export function isSecretName(name: string): boolean {
  return DENY.test(name) && !ALLOW.test(name);
}
