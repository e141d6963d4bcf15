/**
 * Every code the CLI can print, in one list: the compiler's diagnostic codes
 * (compiler/diagnostics/codes.ts), the lint rules (their names), TypeScript's
 * own codes in an image.ts (one family), and the runtime's errors
 * (catalogue.ts). `strata help errors` prints it; specs check against it.
 */
import { DIAGNOSTIC_CODES, TYPESCRIPT_CODE } from "../../compiler/diagnostics/codes.ts";
import { RULES } from "../../compiler/lint/rules.ts";
import { type Area, RUNTIME_ERRORS } from "./catalogue.ts";

export interface ListedCode {
  readonly code: string;
  readonly area: Area;
  readonly exit: number;
  readonly summary: string;
}

function diagnosticArea(code: string): Area {
  if (code.startsWith("TS") || code.startsWith("CV")) return "image.ts";
  if (code.startsWith("IMG")) return "image";
  return "dockerfile";
}

/** The whole catalogue, by area. */
export function listCodes(): ListedCode[] {
  const out: ListedCode[] = [];
  for (const [code, summary] of Object.entries(DIAGNOSTIC_CODES)) out.push({ code, area: diagnosticArea(code), exit: 1, summary });
  out.push({ code: "TSnnnn", area: "image.ts", exit: 1, summary: "TypeScript's own type errors in an image.ts, with TypeScript's number (TS2345: an argument of the wrong type)" });
  for (const r of Object.values(RULES)) {
    out.push({ code: r.name, area: "lint", exit: 1, summary: `${r.description} (a ${r.severity}; strata check exits 1 on errors, or on warnings under # check=error=true)` });
  }
  for (const [code, entry] of Object.entries(RUNTIME_ERRORS)) out.push({ code, ...entry });
  return out;
}

/** Whether `code` is in the catalogue (a TypeScript code counts through its family). */
export function isListed(code: string): boolean {
  return TYPESCRIPT_CODE.test(code) || listCodes().some((c) => c.code === code);
}
