/**
 * The battery's case 21 (and issue 15's item 7): SecretsUsedInArgOrEnv is BuildKit's rule
 * (compiler/lint/checks/secrets.ts cites it): a deny token as the whole name or a whole
 * `_`-part flags it, an allow token (`public`, `file`, `version`) exempts it. The table of
 * RELIABILITY.md through `strata check` (line:col as a user sees them), then the tokens one by
 * one through the compiler.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isSecretName, SECRET_ALLOW_TOKENS, SECRET_DENY_TOKENS } from "../../compiler/lint/checks/secrets.ts";
import { strata, tempDir } from "../helpers/strata.ts";
import { findings } from "../lint/helpers.ts";

const dir = tempDir("rel-lint-secrets");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DOCKERFILE = [
  "FROM busybox",
  "ARG SECRET_PASSPHRASE",
  "ENV password=hunter2",
  "ARG auth",
  "ARG public_token",
  "ARG SECRET_PASSPHRASE_FILE",
  "ARG AUTH_MODULE_VERSION",
  "",
].join("\n");

describe("reliability: SecretsUsedInArgOrEnv", () => {
  it("case 21: SECRET_PASSPHRASE, password and auth are flagged at line:col; public_token, SECRET_PASSPHRASE_FILE and AUTH_MODULE_VERSION are not", () => {
    const file = join(dir, "Dockerfile");
    writeFileSync(file, DOCKERFILE);
    const r = strata(join(dir, "store"), ["check", file]);
    expect(r.code, r.stderr).toBe(0);
    const flagged = [...r.stdout.matchAll(/Dockerfile:(\d+:\d+): warning\[SecretsUsedInArgOrEnv\]: .*\((ARG|ENV) "([^"]+)"\)/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
    expect(flagged).toEqual(["2:5 ARG SECRET_PASSPHRASE", "3:5 ENV password", "4:5 ARG auth"]);
    expect(r.stdout).toContain("0 errors, 3 warnings");
  });

  it("case 21: each of BuildKit's deny tokens flags a name, alone or as a part; each allow token exempts it", () => {
    for (const t of SECRET_DENY_TOKENS) {
      for (const name of [t, t.toUpperCase(), `MY_${t}`, `${t}_x`, `A_${t}_B`]) expect(isSecretName(name), name).toBe(true);
      for (const name of [`X${t}`, `${t}Y`, `${t}-x`]) expect(isSecretName(name), name).toBe(false);
      for (const allow of SECRET_ALLOW_TOKENS) {
        expect(isSecretName(`${t}_${allow}`), `${t}_${allow}`).toBe(false);
        expect(isSecretName(`${allow.toUpperCase()}_${t}`), `${allow}_${t}`).toBe(false);
      }
    }
    // Through the linter, with the span on the name.
    const d = findings("FROM scratch\nENV A=1 GITHUB_TOKEN=x TOKEN_FILE=y\n", "SecretsUsedInArgOrEnv");
    expect(d).toHaveLength(1);
    expect(d[0]?.message).toContain('(ENV "GITHUB_TOKEN")');
  });
});
