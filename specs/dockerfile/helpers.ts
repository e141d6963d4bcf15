import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseDockerfile } from "../../compiler/dockerfile/parse.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";

/** shared/ sits beside the repository clone (CI and local). */
export const CONFORMANCE = fileURLToPath(new URL("../../../shared/conformance/buildkit/", import.meta.url));

export function caseDirs(sub: string): string[] {
  const dir = `${CONFORMANCE}${sub}`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort();
}

export function readCase(sub: string, name: string, file: string): string {
  return readFileSync(`${CONFORMANCE}${sub}/${name}/${file}`, "utf8");
}

export function parse(text: string, name = "Dockerfile") {
  return parseDockerfile(new SourceFile(name, text));
}

export function errors(text: string) {
  return parse(text).diagnostics.filter((d) => d.severity === "error");
}
