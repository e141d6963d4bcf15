// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the cases are Dockerfiles, ${…} is their syntax.
/**
 * Issue 17, items 3, 4 and 10: COPY/ADD words as BuildKit reads them.
 * - 3: `--chmod` takes any octal up to 07777 (`0`, `7`, `00755`); 010000 is BuildKit's invalid chmod parameter.
 * - 4: `ADD --checksum=<commit SHA>` is valid for a Git source (the reference: "the checksum is the commit
 *   SHA … or match on the prefix"); an HTTP source wants `sha256:`; a local path takes no checksum.
 * - 10: ARG and ENV names expand (BuildKit's ArgCommand/EnvCommand.Expand): `ENV src file3`, then
 *   `ARG ${src}=context/bar/baz` declares file3, so `COPY $file3 /baz` copies that file.
 *   `COPY $unset /dst`: BuildKit reads the empty source as the root (path.Join("/", "")) and copies the
 *   whole context; Strata does the same, as BuildKit, but says so: warning LW010 at the source word.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDockerfile } from "../../compiler/dockerfile/parse.ts";
import { lowerDockerfile } from "../../compiler/lower/dockerfile.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import { storeWithBusybox, strata } from "../helpers/strata.ts";
import { build, context, output, removeTemps } from "../run/helpers.ts";

/** The diagnostics of parsing and lowering `text` (no base image needed: bases are scratch). */
function diagnostics(text: string): { code: string; severity: string; message: string; line: number }[] {
  const source = new SourceFile("Dockerfile", text);
  const parsed = parseDockerfile(source);
  const all = [...parsed.diagnostics];
  if (!all.some((d) => d.severity === "error")) {
    all.push(...lowerDockerfile({ source, ast: parsed.ast, instructions: parsed.instructions, resolveImage: () => undefined, platform: "linux/amd64" }).diagnostics);
  }
  return all.map((d) => ({ code: d.code, severity: d.severity, message: d.message, line: source.lineCol(d.span.start).line }));
}

describe("ADD --checksum as BuildKit (item 4)", () => {
  const sha = "be1f38e8d1e2cbd1a0d1e0d5d2bc3e7b9a8f6c5d";
  it("takes a Git commit SHA, whole or a prefix, for a Git source", () => {
    expect(diagnostics(`FROM scratch\nADD --checksum=${sha} https://github.com/moby/buildkit.git#v0.26.2 /src\n`)).toEqual([]);
    expect(diagnostics("FROM scratch\nADD --checksum=be1f38e https://github.com/moby/buildkit.git#v0.26.2 /\n")).toEqual([]);
    expect(diagnostics("FROM scratch\nARG C=be1f38e\nADD --checksum=$C git@github.com:moby/buildkit.git /\n")).toEqual([]);
  });
  it("keeps sha256: for HTTP, refuses a checksum on a local path or on several sources", () => {
    expect(diagnostics("FROM scratch\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.test/x.tgz /\n")).toEqual([]);
    expect(diagnostics(`FROM scratch\nADD --checksum=${sha} https://example.test/x.tgz /\n`)).toEqual([
      { code: "DF021", severity: "error", message: `invalid --checksum=${sha}`, line: 2 },
    ]);
    expect(diagnostics("FROM scratch\nADD --checksum=sha256:aa f /f\n")).toMatchObject([{ code: "DF021", message: "checksum requires HTTP(S) or Git sources" }]);
    expect(diagnostics("FROM scratch\nADD --checksum=abc https://github.com/a/b.git https://github.com/c/d.git /d/\n")).toMatchObject([
      { code: "DF021", message: "checksum can't be specified for multiple sources" },
    ]);
    // A variable is checked once expanded, at lowering.
    expect(diagnostics("FROM scratch\nARG C=xyz\nADD --checksum=$C https://github.com/a/b.git /\n")).toMatchObject([{ code: "DF021", message: "invalid --checksum=xyz for a Git source", line: 3 }]);
  });
});

describe("COPY --chmod and expanded names, built (items 3 and 10)", () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("copy-expanded"));
  });
  afterAll(() => {
    cleanup();
    removeTemps();
  });

  it("item 3: --chmod=0, 7 and 00755 are octal modes; 10000 is refused at its flag", () => {
    const r = build(root, "chmod-octal", "FROM busybox:latest\nCOPY --chmod=0 a /m0\nCOPY --chmod=7 a /m7\nCOPY --chmod=00755 a /m755\nRUN stat -c '%n %a' /m0 /m7 /m755\n", { a: "a\n" });
    expect(r.code, r.stderr).toBe(0);
    expect(output(r)).toEqual(["/m0 0", "/m7 7", "/m755 755"]);
    const bad = context("chmod-bad", { Dockerfile: "FROM busybox:latest\nCOPY --chmod=10000 a /a\n", a: "a\n" });
    const check = strata(root, ["check", `${bad}/Dockerfile`]);
    expect(check.code).toBe(1);
    expect(check.stdout + check.stderr).toMatch(/Dockerfile:2:14: error\[DF021\]: invalid chmod parameter: '10000'\. it should be octal string and between 0 and 07777/);
    // A mode from a variable is checked once expanded, before anything runs.
    const viaArg = context("chmod-arg", { Dockerfile: "FROM busybox:latest\nARG MODE=999\nCOPY --chmod=$MODE a /a\n", a: "a\n" });
    const b = strata(root, ["build", viaArg]);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/Dockerfile:3:14: error\[DF021\]: invalid chmod parameter: '999'/);
    expect(b.stderr).not.toMatch(/#\d+ \[/);
  });

  it("item 10: ARG ${src} declares the ARG its name expands to; COPY $file3 copies that file, not the context", () => {
    const r = build(root, "arg-name", "FROM busybox:latest\nENV src file3\nARG ${src}=context/bar/baz\nCOPY $file3 /baz\nRUN cat /baz && echo file3=$file3\n", {
      "context/bar/baz": "the baz file\n",
      other: "other\n",
    });
    expect(r.code, r.stderr).toBe(0);
    expect(output(r)).toEqual(["the baz file", "file3=context/bar/baz"]);
    expect(r.stderr).not.toMatch(/LW010/);
    // Nor does the linter call $file3 undefined (BuildKit lints with the names expanded), on a fully known stage too.
    const lint = context("arg-name-lint", { Dockerfile: "FROM scratch\nENV src=file3\nARG ${src}=context/bar/baz\nCOPY $file3 /baz\n" });
    const check = strata(root, ["check", `${lint}/Dockerfile`]);
    expect(check.stdout + check.stderr).not.toMatch(/file3/);
  });

  it("item 10: COPY $unset /dst copies the whole context as BuildKit does, with warning LW010 at the word", () => {
    const r = build(root, "unset-src", "FROM busybox:latest\nCOPY $unset /all/\nRUN ls /all\n", { a: "a\n", "d/b": "b\n" });
    expect(r.code, r.stderr).toBe(0);
    expect(output(r)).toEqual(["Dockerfile", "a", "d"]);
    expect(r.stderr).toMatch(/Dockerfile:2:6: warning\[LW010\]: COPY source \$unset expands to the empty string: the whole build context is copied to \/all\/, as BuildKit does/);
  });
});
