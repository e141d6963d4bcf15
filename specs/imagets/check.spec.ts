// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected texts are image.ts and shell scripts, ${…} is their syntax.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { BuildGraph } from "../../compiler/ir/graph.ts";
import { type JsonDiagnostic, runCheck } from "../../runtime/cli/commands/check.ts";
import { compileImageTs } from "../../runtime/imagets/compile.ts";
import { sh } from "../../stdlib/index.ts";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

/**
 * `strata check image.ts` runs the Dockerfile's lint rules on the builder
 * calls, each finding at its call; values BuildKit rejects fail the type
 * check or the evaluation at the call, before anything runs (#17 item 22).
 */

const work = tempDir("imagets-check");
afterAll(() => rmSync(work, { recursive: true, force: true }));

function write(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

async function check(files: readonly string[], buildArgs: Record<string, string> = {}): Promise<{ code: number; findings: JsonDiagnostic[] }> {
  let stdout = "";
  const code = await runCheck(files, { format: "json", buildArgs }, { stdout: (t) => (stdout += t), stderr: () => undefined });
  return { code, findings: JSON.parse(stdout) as JsonDiagnostic[] };
}

const where = (d: JsonDiagnostic): string => `${d.code} ${d.line}:${d.column}`;

const resolveImage = (ref: string) => ({ ref, digest: `sha256:${"a".repeat(64)}`, config: { Env: ["PATH=/usr/bin:/bin"] } });

describe("strata check image.ts: the lint rules, at the builder calls", () => {
  it("gives the Dockerfile's warnings for .env({API_TOKEN}).workdir(rel).cmd(shell form), each at its call", async () => {
    const dir = write("rules", {
      Dockerfile: "FROM busybox\nENV API_TOKEN=x\nWORKDIR rel\nCMD x\n",
      "image.ts": 'import { from } from "strata-build";\n\nexport default from("busybox")\n  .env({ API_TOKEN: "x" })\n  .workdir("rel")\n  .cmd("x");\n',
    });
    const df = await check([join(dir, "Dockerfile")]);
    const ts = await check([join(dir, "image.ts")]);
    expect(df.findings.map((d) => d.code)).toEqual(["SecretsUsedInArgOrEnv", "WorkdirRelativePath", "JSONArgsRecommended"]);
    expect(ts.findings.map(where)).toEqual(["SecretsUsedInArgOrEnv 4:4", "WorkdirRelativePath 5:4", "JSONArgsRecommended 6:4"]);
    expect(ts.findings.map((d) => d.message)).toEqual(df.findings.map((d) => d.message));
    expect(ts.findings.every((d) => d.file === join(dir, "image.ts"))).toBe(true);
    expect(ts.code).toBe(0);
  });

  it("a finding marks its call, not the rest of the chain on that line", async () => {
    const line = 'export default from("busybox").run(sh`echo ")" ${"(x"} \\${HOME}`).env({ API_TOKEN: ")" + `}` }).workdir("rel").cmd(["x"]);';
    const dir = write("call-span", { "image.ts": `import { from, sh } from "strata-build";\n${line}\n` });
    const r = await check([join(dir, "image.ts")]);
    const marked = r.findings.map((d) => `${d.code} ${line.slice(d.column - 1, d.endColumn - 1)}`);
    expect(marked).toEqual(['SecretsUsedInArgOrEnv env({ API_TOKEN: ")" + `}` })', 'WorkdirRelativePath workdir("rel")']);
  });

  it("runs the rules that read words and scripts (UndefinedVar, apt, cd, ExposeProtoCasing, MultipleInstructionsDisallowed) as the Dockerfile does", async () => {
    const dir = write("more-rules", {
      Dockerfile: 'FROM debian:bookworm\nRUN cd /src && apt-get install -y curl\nENV PORT=80\nWORKDIR /$PROT\nEXPOSE $PORT/TCP\nCMD ["a"]\nCMD ["b"]\n',
      "image.ts": [
        'import { from } from "strata-build";',
        "",
        'export default from("debian:bookworm")',
        '  .run("cd /src && apt-get install -y curl")',
        '  .env({ PORT: "80" })',
        '  .workdir("/$PROT")',
        '  .expose("$PORT/TCP")',
        '  .cmd(["a"])',
        '  .cmd(["b"]);',
        "",
      ].join("\n"),
    });
    const df = await check([join(dir, "Dockerfile")]);
    const r = await check([join(dir, "image.ts")]);
    expect(r.findings.map((d) => `${d.code}: ${d.message}`)).toEqual(df.findings.map((d) => `${d.code}: ${d.message}`));
    // A RUN script's findings point at its words when the script is on the call's line.
    expect(r.findings.map(where)).toEqual([
      "StrataCdInRun 4:9",
      "StrataAptListsNotCleaned 4:20",
      "StrataAptNoRecommends 4:20",
      "UndefinedVar 6:4",
      "ExposeProtoCasing 7:4",
      "MultipleInstructionsDisallowed 8:4",
    ]);
  });

  it("says which RUNs share a layer, and newLayer parts them", async () => {
    const dir = write("merge", {
      "image.ts": 'import { from } from "strata-build";\n\nexport default from("busybox")\n  .run("a")\n  .run("b")\n  .run("c", { newLayer: true })\n  .run("d");\n',
    });
    const r = await check([join(dir, "image.ts")]);
    expect(r.findings.filter((d) => d.code === "StrataRunMerge").map((d) => `${d.line}: ${d.message}`)).toEqual([
      "4: 2 adjacent RUN instructions (lines 4-5) will be merged into one layer",
      "6: 2 adjacent RUN instructions (lines 6-7) will be merged into one layer",
    ]);
  });

  it("a call made in an imported module is reported at that module's line; BUILDKIT_DOCKERFILE_CHECK=error=true fails the check", async () => {
    const dir = write("modules", {
      "lib.ts": 'import type { Image } from "strata-build";\n\nexport const withToken = (i: Image): Image =>\n  i.env({ GITHUB_TOKEN: "x" });\n',
      "image.ts": 'import { from } from "strata-build";\nimport { withToken } from "./lib.ts";\n\nexport default withToken(from("busybox"));\n',
    });
    const r = await check([join(dir, "image.ts")]);
    expect(r.findings.map((d) => `${d.code} ${d.message}`)).toEqual([`SecretsUsedInArgOrEnv ${join(dir, "lib.ts")}:4:5: Do not use ARG or ENV instructions for sensitive data (ENV "GITHUB_TOKEN")`]);
    expect(r.code).toBe(0);
    expect((await check([join(dir, "image.ts")], { BUILDKIT_DOCKERFILE_CHECK: "error=true" })).code).toBe(1);
    expect((await check([join(dir, "image.ts")], { BUILDKIT_DOCKERFILE_CHECK: "skip=SecretsUsedInArgOrEnv" })).findings).toEqual([]);
  });
});

describe("image.ts values BuildKit rejects fail at the call, before anything runs", () => {
  it('stopSignal("SIGFOO") is a type error at its argument; known names, any case, with or without SIG, numbers and $VAR type-check', async () => {
    const dir = write("signal", {
      "image.ts":
        'import { from } from "strata-build";\n\nexport const a = from("busybox").stopSignal("SIGTERM").stopSignal("term").stopSignal("SIGRTMIN+3").stopSignal(9).stopSignal("$SIG");\nexport default from("busybox")\n  .stopSignal("SIGFOO");\n',
    });
    const r = await check([join(dir, "image.ts")]);
    expect(r.findings.map(where)).toEqual(["TS2345 5:15"]);
    expect(r.findings[0]?.message).toContain(`'"SIGFOO"' is not assignable to parameter of type 'Signal'`);
    expect(r.code).toBe(1);
  });

  it('chmod: "999", expose(99999) and stopSignal(0) are errors at their calls when the file is evaluated', async () => {
    const dir = write("values", {
      "image.ts":
        'import { from } from "strata-build";\n\nexport default from("busybox")\n  .copy("a", "/a", { chmod: "999" })\n  .add("b", "/b", { chmod: "0", link: true })\n  .expose(99999)\n  .expose(80, "8000-8010/udp")\n  .stopSignal(0);\n',
    });
    const r = await check([join(dir, "image.ts")]);
    expect(r.findings.map((d) => `${where(d)} ${d.message}`)).toEqual([
      "TS001 4:4 copy(): invalid chmod parameter: '999'. it should be octal string and between 0 and 07777",
      "TS001 6:4 expose(): invalid containerPort: 99999",
      "TS001 8:4 stopSignal(): invalid signal: 0",
    ]);
    expect(r.code).toBe(1);
    const compiled = await compileImageTs({ file: join(dir, "image.ts"), buildArgs: {}, resolveImage });
    expect(compiled.graph).toBeUndefined();
  });

  it("strata build stops there: exit 1, the call's file:line:col, nothing built", () => {
    const store = storeWithBusybox("imagets-check");
    try {
      const dir = write("build-refused", {
        a: "a\n",
        "image.ts": 'import { from } from "strata-build";\n\nexport default from("busybox:latest")\n  .run("echo ran > /ran")\n  .copy("a", "/a", { chmod: "999" });\n',
      });
      const blobs = (): string[] => [readFileSync(join(store.root, "index.json"), "utf8"), ...readdirSync(join(store.root, "blobs/sha256")).sort()];
      const before = blobs();
      const r = strata(store.root, ["build", "-t", "never", dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${join(dir, "image.ts")}:5:4: error[TS001]: copy(): invalid chmod parameter: '999'`);
      expect(blobs()).toEqual(before);
    } finally {
      store.cleanup();
    }
  });

  it('healthcheck(["CMD", "true"]) runs true (docker\'s test form), as do CMD-SHELL and NONE; a plain argv keeps its first word', async () => {
    const dir = write("healthcheck", {
      "image.ts": [
        'import { from } from "strata-build";',
        'const base = from("busybox");',
        'export const cmd = base.healthcheck(["CMD", "true"]);',
        'export const shell = base.healthcheck(["CMD-SHELL", "curl -f http://localhost/ || exit 1"]);',
        'export const none = base.healthcheck(["NONE"]);',
        'export const argv = base.healthcheck(["true", "x"]);',
        'export const script = base.healthcheck("true");',
        "export default cmd;",
        "",
      ].join("\n"),
    });
    const test = async (target: string): Promise<unknown> => {
      const c = await compileImageTs({ file: join(dir, "image.ts"), buildArgs: {}, resolveImage, target });
      expect(c.diagnostics).toEqual([]);
      const g = c.graph as BuildGraph;
      const steps = g.stages.find((s) => s.name === target)?.steps ?? [];
      return steps[steps.length - 1]?.config.Healthcheck?.Test;
    };
    expect(await test("cmd")).toEqual(["CMD", "true"]);
    expect(await test("shell")).toEqual(["CMD-SHELL", "curl -f http://localhost/ || exit 1"]);
    expect(await test("none")).toEqual(["NONE"]);
    expect(await test("argv")).toEqual(["CMD", "true", "x"]);
    expect(await test("script")).toEqual(["CMD-SHELL", "true"]);
  });
});

describe("sh`…`: a backslash at the end of a line joins the lines, as a Dockerfile RUN does", () => {
  it("joins backslash-newline, keeps a backslash pair and other escapes, resolves an escaped backtick and ${", () => {
    expect(sh`apt-get update \
 && apt-get install -y curl`.script).toBe("apt-get update  && apt-get install -y curl");
    expect(sh`printf 'a\\
b' \n`.script).toBe("printf 'a\\\\\nb' \\n");
    expect(sh`echo \`date\` \${HOME} ${"it's"}`.script).toBe("echo `date` ${HOME} 'it'\\''s'");
    // An interpolated value is never unescaped.
    expect(sh`echo ${"a\\\nb"}`.script).toBe("echo 'a\\\nb'");
  });
});
