/**
 * The Dockerfile front end's public entry: source text → generic AST (as
 * BuildKit's parser builds it) → typed instructions, with every problem as a
 * diagnostic. Pure: takes a SourceFile, does no I/O, never throws on input.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../source/source-file.ts";
import type { DockerfileAst, Instruction } from "./ast.ts";
import { buildAst } from "./build-ast.ts";
import { parseCheckDirective, scanDirectives } from "./directives.ts";
import { typeInstructions } from "./instructions/index.ts";

export interface ParseResult {
  readonly ast: DockerfileAst;
  readonly instructions: Instruction[];
  readonly diagnostics: Diagnostic[];
}

const MAX_LINE_BYTES = 65535;

function utf8Length(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n++;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < to) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** BuildKit's scanner rejects physical lines over 64 KiB - 1 bytes. */
function checkLineLengths(text: string, file: string, diagnostics: Diagnostic[]): void {
  if (text.length <= MAX_LINE_BYTES / 3) return;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    const end = nl === -1 ? text.length : nl;
    if (end - pos > MAX_LINE_BYTES / 3 && utf8Length(text, pos, end) > MAX_LINE_BYTES) {
      diagnostics.push({
        code: "DF005",
        severity: "error",
        message: `dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}`,
        file,
        span: { start: pos, end },
        hint: "split the line with line continuations",
      });
    }
    if (nl === -1) break;
    pos = nl + 1;
  }
}

/**
 * A NUL can reach no command, argument or environment (exec refuses it), so BuildKit's build
 * fails at RUN with `invalid argument`; here it fails at once, at its line and column. The
 * first one is reported: a UTF-16 file has one in every other byte.
 */
function checkNul(text: string, file: string, diagnostics: Diagnostic[]): void {
  const at = text.indexOf("\0");
  if (at === -1) return;
  diagnostics.push({
    code: "DF013",
    severity: "error",
    message: "NUL byte in the Dockerfile",
    file,
    span: { start: at, end: at + 1 },
    hint: "a Dockerfile is UTF-8 text; save it as UTF-8, not UTF-16",
  });
}

export function parseDockerfile(source: SourceFile): ParseResult {
  const text = source.text;
  const file = source.name;
  const diagnostics: Diagnostic[] = [];
  const dirs = scanDirectives(text);
  for (const p of dirs.problems) diagnostics.push({ code: p.code, severity: "error", message: p.message, file, span: p.span });
  for (const d of dirs.directives) {
    const check = d.name === "check" ? parseCheckDirective(d.value) : undefined;
    if (typeof check === "string") {
      diagnostics.push({
        code: "DF012",
        severity: "warning",
        message: `malformed check directive "${d.value}": ${check}`,
        file,
        span: d.span,
        hint: "use # check=skip=RuleA,RuleB;error=true (or skip=all, experimental=all)",
      });
    }
  }
  checkLineLengths(text, file, diagnostics);
  checkNul(text, file, diagnostics);
  const built = buildAst(text, dirs.escape, file, diagnostics);
  if (built.instructionCount === 0) {
    diagnostics.push({
      code: "DF002",
      severity: "error",
      message: "file with no instructions",
      file,
      span: { start: text.length, end: text.length },
      hint: "a Dockerfile needs at least a FROM instruction",
    });
  }
  const ast: DockerfileAst = { file, escape: dirs.escape, directives: dirs.directives, nodes: built.nodes };
  const instructions = typeInstructions(built.nodes, file, diagnostics);
  return { ast, instructions, diagnostics };
}
