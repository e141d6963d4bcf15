import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../compiler/diagnostics/format.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import { parse } from "./helpers.ts";

describe("diagnostics", () => {
  it("reports three errors on three lines, each with line:column, and keeps the good ones", () => {
    const text = "FROM alpine\nCOPPY a b\nRUN --netwrk=none echo\nRUN echo ok\nHEALTHCHECK --interval=abc CMD x\nUSER app\n";
    const src = new SourceFile("Dockerfile", text);
    const r = parse(text);
    const errs = r.diagnostics.filter((d) => d.severity === "error");
    expect(errs.map((d) => src.where(d.span))).toEqual(["Dockerfile:2:1", "Dockerfile:3:5", "Dockerfile:5:24"]);
    expect(errs.map((d) => d.code)).toEqual(["DF001", "DF020", "DF027"]);
    expect(r.instructions.map((i) => i.kind)).toEqual(["FROM", "RUN", "USER"]);
    for (const d of errs) expect(d.span.end).toBeGreaterThan(d.span.start);
  });
  it("suggests the closest instruction and flag", () => {
    const r = parse("FROM a\nWORKDIRR /x\nCOPY --chonw=1 a b\nRUN --mout=type=cache,target=/x y\nexpse 80\n");
    expect(r.diagnostics.map((d) => d.hint)).toEqual(["did you mean WORKDIR?", "did you mean --chown?", "did you mean --mount?", "did you mean EXPOSE?"]);
  });
  it("formats with a code frame", () => {
    const text = "FROM a\nCOPPY a b\n";
    const src = new SourceFile("Dockerfile", text);
    const d = parse(text).diagnostics[0];
    expect(d).toBeDefined();
    if (d === undefined) return;
    expect(formatDiagnostic(d, src)).toBe(
      'Dockerfile:2:1: error[DF001]: unknown instruction: COPPY\n  1 | FROM a\n> 2 | COPPY a b\n    | ^^^^^\nhint: did you mean COPY?',
    );
  });
  it("spans point into continuation lines", () => {
    const text = "FROM a\nCOPY \\\n  --chonw=1 a b\n";
    const src = new SourceFile("Dockerfile", text);
    const d = parse(text).diagnostics[0];
    expect(d && src.where(d.span)).toBe("Dockerfile:3:3");
  });
  it("a 1 MiB line's errors print a cut excerpt and a cut message, with the length (#17 item 12)", () => {
    const value = "x".repeat(1 << 20);
    const text = `FROM a\nRUN --mount=type=foo${value} true\n`;
    const src = new SourceFile("Dockerfile", text);
    const ds = parse(text).diagnostics;
    expect(ds.map((d) => `${src.where(d.span)} ${d.code}`)).toEqual(["Dockerfile:2:1 DF005", "Dockerfile:2:13 DF029"]);
    for (const d of ds) {
      const out = formatDiagnostic(d, src);
      expect(out.length).toBeLessThan(2000);
      expect(out).toContain(`… (${text.split("\n")[1]?.length} characters)`);
    }
    const mount = formatDiagnostic(ds[1] as (typeof ds)[number], src).split("\n")[0] as string;
    expect(mount).toMatch(/^Dockerfile:2:13: error\[DF029\]: unsupported mount type "fooxxx+… \(\d+ characters\)$/);
  });
  it("a NUL byte is a parse error at its own line and column (#17 item 12)", () => {
    const nul = "FROM a\nRUN echo a\0b\n";
    const d = parse(nul).diagnostics.find((x) => x.code === "DF013");
    expect(d && new SourceFile("Dockerfile", nul).where(d.span)).toBe("Dockerfile:2:11");
  });
});
