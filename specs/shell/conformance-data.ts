/**
 * Reads BuildKit's shell conformance data (shared/conformance/buildkit/shell,
 * beside the repository clone) as its README describes.
 */

import { readFileSync } from "node:fs";
import path from "node:path";
import { sharedPath } from "../helpers/shared-data.ts";

export const shellDataDir = sharedPath("conformance/buildkit/shell");

function lines(file: string): { text: string; line: number }[] {
  return readFileSync(path.join(shellDataDir, file), "utf8")
    .split("\n")
    .map((text, i) => ({ text: text.endsWith("\r") ? text.slice(0, -1) : text, line: i + 1 }));
}

export interface EnvVarCase {
  readonly line: number;
  readonly platform: "A" | "U" | "W";
  readonly input: string;
  /** null: the expansion must fail. */
  readonly expected: string | null;
}

export const envVarEnv: Readonly<Record<string, string>> = {
  PWD: "/home",
  SHELL: "bash",
  KOREAN: "한국어",
  NULL: "",
};

export function readEnvVarCases(): EnvVarCase[] {
  const cases: EnvVarCase[] = [];
  for (const { text, line } of lines("envVarTest")) {
    if (text.startsWith("#")) continue;
    const trimmed = text.trim();
    if (trimmed === "") continue;
    const parts = trimmed.split("|");
    if (parts.length !== 3) throw new Error(`envVarTest:${line}: expected 3 fields`);
    const [platform, input, expected] = parts.map((p) => p.trim()) as [string, string, string];
    if (platform !== "A" && platform !== "U" && platform !== "W") {
      throw new Error(`envVarTest:${line}: bad platform ${platform}`);
    }
    cases.push({ line, platform, input, expected: expected === "error" ? null : expected });
  }
  return cases;
}

export interface WordsCase {
  readonly line: number;
  readonly input: string;
  /** ["error"] when the expansion must fail. */
  readonly expected: string[];
  /** The `ENV k=v` lines seen before this case, as BuildKit's BuildEnvs builds them. */
  readonly env: Readonly<Record<string, string>>;
}

export function readWordsCases(): WordsCase[] {
  const cases: WordsCase[] = [];
  const env: Record<string, string> = {};
  for (const { text, line } of lines("wordsTest")) {
    if (text.startsWith("#")) continue;
    if (text.startsWith("ENV ")) {
      const entry = text.slice(3).replace(/^ +/, "");
      const eq = entry.indexOf("=");
      if (eq < 0) env[entry] = "";
      else env[entry.slice(0, eq)] = entry.slice(eq + 1);
      continue;
    }
    if (text === "") continue; // the file's final newline
    const parts = text.split("|");
    if (parts.length !== 2) throw new Error(`wordsTest:${line}: expected exactly one |`);
    const [input, expected] = parts as [string, string];
    cases.push({
      line,
      input: input.trim(),
      expected: expected.replace(/^ +/, "").split(","),
      env: { ...env },
    });
  }
  return cases;
}
