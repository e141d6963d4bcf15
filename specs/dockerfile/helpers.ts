import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parseDockerfile } from "../../compiler/dockerfile/parse.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import { sharedPath } from "../helpers/shared-data.ts";

/** BuildKit's conformance data in ../shared beside the clone (specs that need it use describeWithShared). */
export const CONFORMANCE = `${sharedPath("conformance/buildkit")}/`;

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
