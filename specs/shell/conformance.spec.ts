import { expect, it } from "vitest";
import { envFromRecord, expandWithEnvRecord, expandWords } from "../../compiler/shell/index.ts";
import { describeWithShared } from "../helpers/shared-data.ts";
import { envVarEnv, readEnvVarCases, readWordsCases } from "./conformance-data.ts";

describeWithShared("BuildKit shell/envVarTest (A and U cases)", "conformance/buildkit/shell", () => {
  const envVarCases = readEnvVarCases().filter((c) => c.platform !== "W");
  it("reads the data", () => {
    expect(envVarCases.length).toBeGreaterThan(200);
  });

  it.each(envVarCases.map((c) => [`${c.platform}:${c.line} ${c.input}`, c] as const))("%s", (_name, c) => {
    const r = expandWithEnvRecord(c.input, envVarEnv);
    if (c.expected === null) {
      expect(r.ok, r.ok ? `got ${JSON.stringify(r.value)}` : "").toBe(false);
    } else {
      expect(r).toMatchObject({ ok: true, value: c.expected });
    }
  });
});

describeWithShared("BuildKit shell/wordsTest", "conformance/buildkit/shell", () => {
  const wordsCases = readWordsCases();
  it("reads the data", () => {
    expect(wordsCases.length).toBe(24);
  });

  it.each(wordsCases.map((c) => [`${c.line} ${c.input}`, c] as const))("%s", (_name, c) => {
    const r = expandWords(c.input, envFromRecord(c.env));
    expect(r.ok ? r.words : ["error"]).toEqual(c.expected);
  });
});
