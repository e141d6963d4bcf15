/**
 * Image config values checked while lowering, as BuildKit's dockerfile2llb checks them:
 * EXPOSE ports and STOPSIGNAL signals are refused with a coded diagnostic at the word
 * (BuildKit fails the build), and a JSON form followed by text keeps the JSON (#17 items 8, 9).
 */
import { describe, expect, it } from "vitest";
import { parseDockerfile } from "../../compiler/dockerfile/parse.ts";
import type { ContainerConfig } from "../../compiler/ir/image-config.ts";
import { lowerDockerfile } from "../../compiler/lower/dockerfile.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";

function lower(text: string, buildArgs: Record<string, string> = {}) {
  const source = new SourceFile("Dockerfile", text);
  const parsed = parseDockerfile(source);
  expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const r = lowerDockerfile({ source, ast: parsed.ast, instructions: parsed.instructions, buildArgs, resolveImage: () => undefined, platform: "linux/amd64" });
  const stage = r.graph?.stages[r.graph.target];
  const config: ContainerConfig | undefined = stage && (stage.steps[stage.steps.length - 1]?.config ?? stage.baseConfig);
  const errors = r.diagnostics.filter((d) => d.severity === "error").map((d) => `${source.where(d.span)} ${d.code} ${d.message}`);
  return { config, errors, history: stage?.steps.map((s) => s.createdBy.join(" ")) ?? [] };
}

describe("EXPOSE at lowering", () => {
  it("refuses what BuildKit refuses, at the word, with a code", () => {
    expect(lower("FROM scratch\nEXPOSE abc\n").errors).toEqual(["Dockerfile:2:8 LW008 invalid containerPort: abc"]);
    expect(lower("FROM scratch\nEXPOSE 80 99999\n").errors).toEqual(["Dockerfile:2:11 LW008 invalid containerPort: 99999"]);
    expect(lower("FROM scratch\nEXPOSE 80/foo\n").errors).toEqual(['Dockerfile:2:8 LW008 invalid port: "80/foo": invalid proto: foo']);
    expect(lower("FROM scratch\nARG P=70000\nEXPOSE $P\n").errors).toEqual(["Dockerfile:3:8 LW008 invalid containerPort: 70000"]);
  });
  it("writes ports, ranges and protocols as BuildKit does", () => {
    const r = lower("FROM scratch\nEXPOSE 80 53/UDP 8000-8002/tcp 0 65535/sctp\n");
    expect(r.errors).toEqual([]);
    expect(Object.keys(r.config?.ExposedPorts ?? {})).toEqual(["80/tcp", "53/udp", "8000/tcp", "8001/tcp", "8002/tcp", "0/tcp", "65535/sctp"]);
  });
});

describe("STOPSIGNAL at lowering", () => {
  it("refuses an unknown signal and 0, at the word", () => {
    expect(lower("FROM scratch\nSTOPSIGNAL SIGFOO\n").errors).toEqual(["Dockerfile:2:12 LW009 invalid signal: SIGFOO"]);
    expect(lower("FROM scratch\nARG S=0\nSTOPSIGNAL $S\n").errors).toEqual(["Dockerfile:3:12 LW009 invalid signal: 0"]);
  });
  it("keeps a valid signal as written (names with or without SIG, any case, RT signals, numbers)", () => {
    for (const sig of ["SIGTERM", "kill", "SigQuit", "SIGRTMIN+3", "RTMAX-2", "9"]) {
      const r = lower(`FROM scratch\nSTOPSIGNAL ${sig}\n`);
      expect(r.errors).toEqual([]);
      expect(r.config?.StopSignal).toBe(sig);
    }
  });
});

describe("JSON form followed by text (BuildKit's json.Decoder reads one value)", () => {
  it("ENTRYPOINT [\"x\"] # comment is [\"x\"]", () => {
    const r = lower('FROM scratch\nENTRYPOINT ["x"] # comment\nCMD ["a", "b"] trailing\n');
    expect(r.config?.Entrypoint).toEqual(["x"]);
    expect(r.config?.Cmd).toEqual(["a", "b"]);
  });
});
