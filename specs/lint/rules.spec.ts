// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the cases are Dockerfiles, ${…} is their syntax.
/**
 * One positive and one (or a few) negative Dockerfiles per lint rule. A
 * positive case names where its first finding points (line:column and the
 * source text under the span) and, for BuildKit's rules, the exact message
 * BuildKit prints.
 */
import { describe, expect, it } from "vitest";
import type { LintOptions } from "../../compiler/lint/lint.ts";
import { RULE_LIST, RULES, type RuleName } from "../../compiler/lint/rules.ts";
import { at, findings, lint } from "./helpers.ts";

interface Case {
  readonly bad: string;
  readonly where: string;
  readonly text: string;
  readonly message?: string;
  readonly good: readonly string[];
  readonly options?: LintOptions;
}

const CASES: Record<RuleName, Case> = {
  StageNameCasing: {
    bad: "FROM alpine AS Builder\n",
    where: "1:16",
    text: "Builder",
    message: "Stage name 'Builder' should be lowercase",
    good: ["FROM alpine AS builder\n"],
  },
  FromAsCasing: {
    bad: "FROM alpine as builder\n",
    where: "1:13",
    text: "as",
    message: "'as' and 'FROM' keywords' casing do not match",
    good: ["FROM alpine AS builder\n", "from alpine as builder\n"],
  },
  NoEmptyContinuation: {
    bad: "FROM alpine\nRUN echo a \\\n\n  && echo b\n",
    where: "3:1",
    text: "",
    message: "Empty continuation line",
    good: ["FROM alpine\nRUN echo a \\\n  # a comment line is fine\n  && echo b\n", "FROM alpine\nRUN <<EOF\necho a\n\necho b\nEOF\n"],
  },
  ConsistentInstructionCasing: {
    bad: "FROM alpine\nRUN echo a\nrun echo b\n",
    where: "3:1",
    text: "run",
    message: "Command 'run' should match the case of the command majority (uppercase)",
    good: ["from alpine\nrun echo a\n", "FROM alpine\nRUN echo a\n"],
  },
  DuplicateStageName: {
    bad: "FROM alpine AS base\nFROM alpine AS base\n",
    where: "2:16",
    text: "base",
    message: 'Duplicate stage name "base", stage names should be unique',
    good: ["FROM alpine AS base\nFROM alpine AS final\n"],
  },
  ReservedStageName: {
    bad: "FROM alpine AS scratch\n",
    where: "1:16",
    text: "scratch",
    message: 'Stage name should not use the same name as reserved stage "scratch"',
    good: ["FROM alpine AS base\n"],
  },
  JSONArgsRecommended: {
    bad: "FROM alpine\nCMD my-program start\n",
    where: "2:5",
    text: "my-program start",
    message: "JSON arguments recommended for CMD to prevent unintended behavior related to OS signals",
    good: ['FROM alpine\nCMD ["my-program", "start"]\n', 'FROM alpine\nSHELL ["/bin/bash", "-c"]\nENTRYPOINT my-program start\n'],
  },
  MaintainerDeprecated: {
    bad: "FROM alpine\nMAINTAINER me <me@example.com>\n",
    where: "2:1",
    text: "MAINTAINER",
    message: "Maintainer instruction is deprecated in favor of using label",
    good: ['FROM alpine\nLABEL org.opencontainers.image.authors="me"\n'],
  },
  UndefinedArgInFrom: {
    bad: "ARG VERSION=3\nFROM alpine:${VERSON}\n",
    where: "2:6",
    text: "alpine:${VERSON}",
    message: "FROM argument 'VERSON' is not declared (did you mean VERSION?)",
    good: ["ARG VERSION=3\nFROM alpine:${VERSION}\n", "FROM --platform=$BUILDPLATFORM alpine\n"],
  },
  WorkdirRelativePath: {
    bad: "FROM alpine\nWORKDIR app\n",
    where: "2:9",
    text: "app",
    message: 'Relative workdir "app" can have unexpected results if the base image changes',
    good: ["FROM alpine\nWORKDIR /src\nWORKDIR app\n", "FROM alpine AS base\nWORKDIR /src\nFROM base\nWORKDIR app\n"],
  },
  UndefinedVar: {
    bad: "FROM scratch\nENV PATH=/bin\nCOPY $PTAH/app /\n",
    where: "3:6",
    text: "$PTAH",
    message: "Usage of undefined variable '$PTAH' (did you mean $PATH?)",
    good: ["FROM scratch\nARG V\nCOPY app-$V /\n", "FROM scratch\nENV B=1\nENV A=$B\n", "FROM scratch\nENV A=${B:-x}\n", "FROM alpine\nENV PATH=$PATH:/app\n"],
  },
  MultipleInstructionsDisallowed: {
    bad: 'FROM alpine\nCMD ["a"]\nCMD ["b"]\n',
    where: "2:1",
    text: "CMD",
    message: "Multiple CMD instructions should not be used in the same stage because only the last one will be used",
    good: ['FROM alpine\nCMD ["a"]\nFROM alpine\nCMD ["b"]\n', 'FROM alpine\nHEALTHCHECK CMD ["true"]\nCMD ["a"]\n'],
  },
  LegacyKeyValueFormat: {
    bad: "FROM alpine\nENV A b c\n",
    where: "2:5",
    text: "A b c",
    message: '"ENV key=value" should be used instead of legacy "ENV key value" format',
    good: ['FROM alpine\nENV A="b c"\n', "FROM alpine\nLABEL a=b\n"],
  },
  RedundantTargetPlatform: {
    bad: "FROM --platform=$TARGETPLATFORM alpine\n",
    where: "1:17",
    text: "$TARGETPLATFORM",
    message: "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior",
    good: ["FROM --platform=$BUILDPLATFORM alpine\n", "FROM --platform=linux/arm64 alpine\n"],
  },
  SecretsUsedInArgOrEnv: {
    bad: "FROM alpine\nARG GITHUB_TOKEN\n",
    where: "2:5",
    text: "GITHUB_TOKEN",
    message: 'Do not use ARG or ENV instructions for sensitive data (ARG "GITHUB_TOKEN")',
    good: ["FROM alpine\nENV TOKENIZER=x\nARG PUBLIC_KEY\nENV KEYBOARD=us\n"],
  },
  InvalidDefaultArgInFrom: {
    bad: "ARG TAG\nFROM busybox:${TAG}\n",
    where: "2:6",
    text: "busybox:${TAG}",
    message: "Default value for ARG busybox:${TAG} results in empty or invalid base image name",
    good: ["ARG TAG=latest\nFROM busybox:${TAG}\n", "ARG VARIANT\nFROM busybox:stable${VARIANT}\n", "ARG TAG\nFROM alpine:${TAG:-3.14}\n"],
  },
  ExposeProtoCasing: {
    bad: "FROM alpine\nEXPOSE 80/TCP\n",
    where: "2:8",
    text: "80/TCP",
    message: "Defined protocol '80/TCP' in EXPOSE instruction should be lowercase",
    good: ["FROM alpine\nEXPOSE 80/tcp 443 53/udp\n"],
  },
  ExposeInvalidFormat: {
    bad: "FROM alpine\nEXPOSE 127.0.0.1:80:80\n",
    where: "2:8",
    text: "127.0.0.1:80:80",
    message: "EXPOSE instruction should not define an IP address or host-port mapping, found '127.0.0.1:80:80'",
    good: ["FROM alpine\nEXPOSE 80 ${PORT:-8080}/tcp\n"],
  },
  CopyIgnoredFile: {
    bad: "FROM alpine\nCOPY app.js ./debug.log /app/\n",
    where: "2:13",
    text: "./debug.log",
    message: 'Attempting to Copy file "./debug.log" that is excluded by .dockerignore',
    good: ["FROM alpine\nCOPY app.js /app/\nCOPY --from=build debug.log /app/\nCOPY . /app/\n"],
    options: { dockerignore: ["# logs", "*.log", ""] },
  },
  StrataRunMerge: {
    bad: "FROM alpine\nRUN echo a\nRUN echo b\nRUN echo c\n",
    where: "2:1",
    text: "RUN",
    message: "3 adjacent RUN instructions (lines 2-4) will be merged into one layer",
    good: ["FROM alpine\nRUN echo a\n# strata:layer\nRUN echo b\n", "FROM alpine\nRUN echo a\nENV X=1\nRUN echo b\n"],
  },
  StrataUnknownDirective: {
    bad: "FROM alpine\nRUN echo a\n# strata: layer\nRUN echo b\n",
    where: "3:1",
    text: "# strata: layer",
    message: 'Comment "# strata: layer" is not a known Strata directive and is ignored (did you mean "# strata:layer"?)',
    good: ["FROM alpine\nRUN echo a\n# strata:layer\nRUN echo b\n", "# built by strata\nFROM alpine\n# strata is a build compiler\nRUN echo a\n"],
  },
  StrataAptNoRecommends: {
    bad: "FROM debian\nRUN apt-get update \\\n && apt-get -y install curl \\\n && rm -rf /var/lib/apt/lists/*\n",
    where: "3:5",
    text: "apt-get -y install",
    message: "apt-get install without --no-install-recommends installs recommended packages too",
    good: [
      "FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
      "FROM debian\nRUN apt-get -o APT::Install-Recommends=false install -y curl && rm -rf /var/lib/apt/lists/*\n",
      "FROM debian\nRUN apt-get update\n",
    ],
  },
  StrataAptListsNotCleaned: {
    bad: "FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n",
    where: "2:23",
    text: "apt-get install",
    message: "apt-get install without removing /var/lib/apt/lists/* in the same RUN leaves the package lists in the layer",
    good: [
      "FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
      "FROM debian\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y --no-install-recommends curl\n",
    ],
  },
  StrataCdInRun: {
    bad: "FROM alpine\nRUN cd /src && make\n",
    where: "2:5",
    text: "cd /src",
    message: 'RUN starts with "cd /src": use WORKDIR /src instead',
    good: ["FROM alpine\nWORKDIR /src\nRUN make && cd .. && ls\n", "FROM alpine\nRUN (cd /src && make)\n", "FROM alpine\nRUN cd /src\n"],
  },
};

describe("lint rules", () => {
  it("every rule has a case, and rule data is consistent", () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(RULES).sort());
    for (const [key, rule] of Object.entries(RULES)) {
      expect(rule.name).toBe(key);
      expect(rule.description).not.toBe("");
      if (!key.startsWith("Strata")) expect(rule.url).toMatch(/^https:\/\/docs\.docker\.com\//);
    }
    expect(RULE_LIST).toHaveLength(Object.keys(RULES).length);
  });

  for (const [rule, c] of Object.entries(CASES) as [RuleName, Case][]) {
    describe(rule, () => {
      it("reports the bad case at the offending word", () => {
        const found = findings(c.bad, rule, c.options);
        expect(found.length).toBeGreaterThan(0);
        const first = found[0];
        if (first === undefined) return;
        expect(at(c.bad, first)).toEqual({ where: c.where, text: c.text });
        if (c.message !== undefined) expect(first.message).toBe(c.message);
        expect(first.severity).toBe(RULES[rule].severity);
        expect(first.file).toBe("Dockerfile");
      });
      for (const [i, good] of c.good.entries()) {
        it(`does not report good case ${i + 1}`, () => {
          expect(findings(good, rule, c.options)).toEqual([]);
        });
      }
    });
  }
});

describe("rule details", () => {
  it("UndefinedVar: a global ARG is visible in a stage only when redeclared", () => {
    const bad = "ARG V=1\nFROM alpine\nCOPY app-$V /\n";
    const [d] = findings(bad, "UndefinedVar");
    expect(d?.message).toBe("Usage of undefined variable '$V'");
    expect(d?.hint).toContain("ARG V");
    expect(findings("ARG V=1\nFROM alpine\nARG V\nCOPY app-$V /\n", "UndefinedVar")).toEqual([]);
  });

  it("UndefinedVar: ENV of the stage a stage is based on is in scope", () => {
    expect(findings("FROM scratch AS base\nENV A=1\nFROM base\nENV B=$A\n", "UndefinedVar")).toEqual([]);
    expect(findings("FROM scratch AS base\nENV A=1\nFROM scratch\nENV B=$A\n", "UndefinedVar")).toHaveLength(1);
  });

  it("UndefinedVar: in a stage on an external image, names the image may define are not reported", () => {
    expect(findings("FROM golang\nENV PATH=$GOPATH/bin:$PATH\n", "UndefinedVar")).toEqual([]);
  });

  it("ConsistentInstructionCasing follows the majority, and mixed-case keywords are always reported", () => {
    const text = "from alpine\nrun a\nRUN b\nRun c\n";
    const found = findings(text, "ConsistentInstructionCasing").map((d) => at(text, d).text);
    expect(found).toEqual(["RUN", "Run"]);
  });

  it("MultipleInstructionsDisallowed reports every overridden instruction, not the last", () => {
    const text = 'FROM alpine\nENTRYPOINT ["a"]\nENTRYPOINT ["b"]\nENTRYPOINT ["c"]\n';
    expect(findings(text, "MultipleInstructionsDisallowed").map((d) => at(text, d).where)).toEqual(["2:1", "3:1"]);
  });

  it("JSONArgsRecommended: a SHELL in the parent stage counts", () => {
    expect(findings('FROM alpine AS base\nSHELL ["/bin/bash", "-c"]\nFROM base\nCMD echo hi\n', "JSONArgsRecommended")).toEqual([]);
  });

  it("StrataRunMerge: RUNs in different stages or separated by an invalid instruction do not merge", () => {
    expect(findings("FROM alpine\nRUN a\nFROM alpine\nRUN b\n", "StrataRunMerge")).toEqual([]);
    expect(findings("FROM alpine\nRUN a\nCOPPY x y\nRUN b\n", "StrataRunMerge")).toEqual([]);
  });

  it("StrataAptNoRecommends finds apt-get in a RUN heredoc", () => {
    const text = "FROM debian\nRUN <<EOF\nset -e\napt-get install -y curl\nrm -rf /var/lib/apt/lists/*\nEOF\n";
    const [d] = findings(text, "StrataAptNoRecommends");
    expect(d && at(text, d)).toEqual({ where: "4:1", text: "apt-get install" });
    expect(findings(text, "StrataAptListsNotCleaned")).toEqual([]);
  });

  it("StrataCdInRun looks at the heredoc of a heredoc-only RUN", () => {
    const text = "FROM alpine\nRUN <<EOF\ncd /src\nmake\nEOF\n";
    const [d] = findings(text, "StrataCdInRun");
    expect(d && at(text, d)).toEqual({ where: "3:1", text: "cd /src" });
  });

  it("CopyIgnoredFile matches the source as the build sees it, with the build's .dockerignore matcher", () => {
    const ignore = (lines: string[]): LintOptions => ({ dockerignore: lines });
    // An escaped pattern names the literal file; the Dockerfile's own quotes and escapes are resolved first.
    expect(findings("FROM alpine\nCOPY a*b /x/\n", "CopyIgnoredFile", ignore(["a\\*b"]))).toHaveLength(1);
    expect(findings("FROM alpine\nCOPY a\\*b /x/\n", "CopyIgnoredFile", ignore(["a\\*b"]))).toHaveLength(1);
    expect(findings('FROM alpine\nCOPY "a*b" /x/\n', "CopyIgnoredFile", ignore(["a\\*b"]))).toHaveLength(1);
    expect(findings("FROM alpine\nCOPY axb /x/\n", "CopyIgnoredFile", ignore(["a\\*b"]))).toEqual([]);
    // moby semantics: a parent directory's match counts, `**` spans directories, classes negate.
    expect(findings("FROM alpine\nCOPY secret/key.pem /x/\n", "CopyIgnoredFile", ignore(["secret"]))).toHaveLength(1);
    expect(findings("FROM alpine\nCOPY /a/b/c.tmp /x/\n", "CopyIgnoredFile", ignore(["**/*.tmp"]))).toHaveLength(1);
    expect(findings("FROM alpine\nCOPY abd /x/\n", "CopyIgnoredFile", ignore(["ab[^c]"]))).toHaveLength(1);
    expect(findings("FROM alpine\nCOPY abc /x/\n", "CopyIgnoredFile", ignore(["ab[^c]"]))).toEqual([]);
  });

  it("CopyIgnoredFile reports nothing for a .dockerignore with exceptions or a pattern the matcher refuses", () => {
    expect(findings("FROM alpine\nCOPY debug.log /x/\n", "CopyIgnoredFile", { dockerignore: ["*.log", "!keep.log"] })).toEqual([]);
    expect(findings("FROM alpine\nCOPY debug.log /x/\n", "CopyIgnoredFile", { dockerignore: ["*.log", "a["] })).toEqual([]);
    expect(findings("FROM alpine\nCOPY debug.log /x/\n", "CopyIgnoredFile", { dockerignore: ["*.log", "a\\"] })).toEqual([]);
  });

  it("the findings come sorted by position", () => {
    const r = lint("FROM alpine as Base\nMAINTAINER me\nENV A b\n");
    const starts = r.diagnostics.map((d) => d.span.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(r.diagnostics.map((d) => d.code)).toEqual(["FromAsCasing", "StageNameCasing", "MaintainerDeprecated", "LegacyKeyValueFormat"]);
  });

  it("a clean Dockerfile has no findings", () => {
    const r = lint(
      'FROM debian:12 AS build\nWORKDIR /src\nRUN apt-get update && apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*\nCOPY . .\n# strata:layer\nRUN make\nFROM scratch\nCOPY --from=build /src/out /app\nENTRYPOINT ["/app"]\n',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.parseDiagnostics).toEqual([]);
  });
});
