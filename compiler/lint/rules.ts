/**
 * The lint rules as data, as BuildKit keeps them (frontend/dockerfile/linter):
 * one object per rule with its name (the diagnostic `code`), a one-line
 * description, a documentation URL, a default severity and a `format` that
 * builds the message from the rule's arguments. The checks that find the
 * problems live in ./checks/, one file per rule or per few related rules.
 *
 * Names and messages of BuildKit's rules are BuildKit's, so `# check=skip=…`
 * lines and CI greps written for `docker build --check` work unchanged.
 * Strata's own rules are prefixed `Strata`.
 */
import { goQuote } from "../dockerfile/go-quote.ts";
import { STRATA_DIRECTIVES } from "../dockerfile/strata-directives.ts";
import type { Diagnostic, Severity } from "../diagnostics/diagnostic.ts";
import type { Span } from "../source/span.ts";

export interface LintRule<A extends readonly unknown[] = readonly never[]> {
  /** Stable name, used as the diagnostic code and in `# check=skip=`. */
  readonly name: string;
  readonly description: string;
  /** Where the rule is documented; undefined for rules with no page yet. */
  readonly url: string | undefined;
  readonly severity: Severity;
  /** The message for one finding. */
  readonly format: (...args: A) => string;
  /** What to do about it, shown under the message. */
  readonly hint?: string | undefined;
  /**
   * The rule is about how a Dockerfile is written (keyword casing, continuation
   * lines, comments, the legacy ENV form), which builder calls cannot get
   * wrong: `strata check image.ts` runs every other rule.
   */
  readonly dockerfileOnly?: true | undefined;
  /** The hint in image.ts terms, where `hint` names Dockerfile syntax. */
  readonly imageTsHint?: string | undefined;
}

const docs = (slug: string): string => `https://docs.docker.com/go/dockerfile/rule/${slug}/`;

/** `" (did you mean X?)"` or nothing. */
function didYouMean(s: string | undefined, prefix = ""): string {
  return s === undefined ? "" : ` (did you mean ${prefix}${s}?)`;
}

/** Go's %q, as BuildKit's messages quote. */
const q = goQuote;

export const RULES = {
  StageNameCasing: {
    name: "StageNameCasing",
    description: "Stage names should be lowercase",
    url: docs("stage-name-casing"),
    severity: "warning",
    format: (stageName: string) => `Stage name '${stageName}' should be lowercase`,
    dockerfileOnly: true,
  } satisfies LintRule<[string]>,
  FromAsCasing: {
    name: "FromAsCasing",
    description: "The 'as' keyword should match the case of the 'from' keyword",
    url: docs("from-as-casing"),
    severity: "warning",
    format: (from: string, as: string) => `'${as}' and '${from}' keywords' casing do not match`,
    dockerfileOnly: true,
  } satisfies LintRule<[string, string]>,
  NoEmptyContinuation: {
    name: "NoEmptyContinuation",
    description: "Empty continuation lines will become errors in a future release",
    url: docs("no-empty-continuation"),
    severity: "warning",
    format: () => "Empty continuation line",
    hint: "remove the empty line, or end the instruction before it",
    dockerfileOnly: true,
  } satisfies LintRule<[]>,
  ConsistentInstructionCasing: {
    name: "ConsistentInstructionCasing",
    description: "All commands within the Dockerfile should use the same casing (either upper or lower)",
    url: docs("consistent-instruction-casing"),
    severity: "warning",
    format: (command: string, casing: string) => `Command '${command}' should match the case of the command majority (${casing})`,
    dockerfileOnly: true,
  } satisfies LintRule<[string, string]>,
  DuplicateStageName: {
    name: "DuplicateStageName",
    description: "Stage names should be unique",
    url: docs("duplicate-stage-name"),
    severity: "warning",
    format: (stageName: string) => `Duplicate stage name ${q(stageName)}, stage names should be unique`,
  } satisfies LintRule<[string]>,
  ReservedStageName: {
    name: "ReservedStageName",
    description: "Reserved words should not be used as stage names",
    url: docs("reserved-stage-name"),
    severity: "warning",
    format: (reserved: string) => `Stage name should not use the same name as reserved stage ${q(reserved)}`,
  } satisfies LintRule<[string]>,
  JSONArgsRecommended: {
    name: "JSONArgsRecommended",
    description: "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
    url: docs("json-args-recommended"),
    severity: "warning",
    format: (command: string) => `JSON arguments recommended for ${command} to prevent unintended behavior related to OS signals`,
    hint: 'write the exec form, e.g. CMD ["executable", "arg"], or set an explicit SHELL if a shell is intended',
    imageTsHint: 'pass an argv array, e.g. cmd(["executable", "arg"]), or set an explicit shell([...]) if a shell is intended',
  } satisfies LintRule<[string]>,
  MaintainerDeprecated: {
    name: "MaintainerDeprecated",
    description: "The MAINTAINER instruction is deprecated, use a label instead to define an image author",
    url: "https://docs.docker.com/reference/dockerfile/#maintainer-deprecated",
    severity: "warning",
    format: () => "Maintainer instruction is deprecated in favor of using label",
    hint: 'use LABEL org.opencontainers.image.authors="name <email>"',
    imageTsHint: 'use label({ "org.opencontainers.image.authors": "name <email>" })',
  } satisfies LintRule<[]>,
  UndefinedArgInFrom: {
    name: "UndefinedArgInFrom",
    description: "FROM command must use declared ARGs",
    url: docs("undefined-arg-in-from"),
    severity: "warning",
    format: (arg: string, suggestion: string | undefined) => `FROM argument '${arg}' is not declared${didYouMean(suggestion)}`,
    hint: "declare it with ARG before the first FROM",
    imageTsHint: "declare it with arg() at the top level of the module",
  } satisfies LintRule<[string, string | undefined]>,
  WorkdirRelativePath: {
    name: "WorkdirRelativePath",
    description: "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes",
    url: docs("workdir-relative-path"),
    severity: "warning",
    format: (path: string) => `Relative workdir ${q(path)} can have unexpected results if the base image changes`,
    hint: "set an absolute WORKDIR first",
    imageTsHint: "set an absolute workdir() first",
  } satisfies LintRule<[string]>,
  UndefinedVar: {
    name: "UndefinedVar",
    description: "Variables should be defined before their use",
    url: docs("undefined-var"),
    severity: "warning",
    format: (name: string, suggestion: string | undefined) => `Usage of undefined variable '$${name}'${didYouMean(suggestion, "$")}`,
  } satisfies LintRule<[string, string | undefined]>,
  MultipleInstructionsDisallowed: {
    name: "MultipleInstructionsDisallowed",
    description: "Multiple instructions of the same type should not be used in the same stage",
    url: docs("multiple-instructions-disallowed"),
    severity: "warning",
    format: (command: string) => `Multiple ${command} instructions should not be used in the same stage because only the last one will be used`,
  } satisfies LintRule<[string]>,
  LegacyKeyValueFormat: {
    name: "LegacyKeyValueFormat",
    description: "Legacy key/value format with whitespace separator should not be used",
    url: docs("legacy-key-value-format"),
    severity: "warning",
    format: (command: string) => `"${command} key=value" should be used instead of legacy "${command} key value" format`,
    dockerfileOnly: true,
  } satisfies LintRule<[string]>,
  RedundantTargetPlatform: {
    name: "RedundantTargetPlatform",
    description: "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior",
    url: docs("redundant-target-platform"),
    severity: "warning",
    format: (platform: string) => `Setting platform to predefined ${platform} in FROM is redundant as this is the default behavior`,
    hint: "remove the --platform flag",
  } satisfies LintRule<[string]>,
  SecretsUsedInArgOrEnv: {
    name: "SecretsUsedInArgOrEnv",
    description: "Sensitive data should not be used in the ARG or ENV commands",
    url: docs("secrets-used-in-arg-or-env"),
    severity: "warning",
    format: (command: string, key: string) => `Do not use ARG or ENV instructions for sensitive data (${command} ${q(key)})`,
    hint: "pass secrets with RUN --mount=type=secret; ARG and ENV values stay in the image",
    imageTsHint: 'pass secrets with run(…, { mounts: [{ type: "secret", id: … }] }); arg and env values stay in the image',
  } satisfies LintRule<[string, string]>,
  InvalidDefaultArgInFrom: {
    name: "InvalidDefaultArgInFrom",
    description: "Default value for global ARG results in an empty or invalid base image name",
    url: docs("invalid-default-arg-in-from"),
    severity: "warning",
    format: (baseName: string) => `Default value for ARG ${baseName} results in empty or invalid base image name`,
    hint: "give the ARG a default that makes a valid image reference",
  } satisfies LintRule<[string]>,
  ExposeProtoCasing: {
    name: "ExposeProtoCasing",
    description: "Protocol in EXPOSE instruction should be lowercase",
    url: docs("expose-proto-casing"),
    severity: "warning",
    format: (port: string) => `Defined protocol '${port}' in EXPOSE instruction should be lowercase`,
  } satisfies LintRule<[string]>,
  ExposeInvalidFormat: {
    name: "ExposeInvalidFormat",
    description: "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release",
    url: docs("expose-invalid-format"),
    severity: "warning",
    format: (port: string) => `EXPOSE instruction should not define an IP address or host-port mapping, found '${port}'`,
    hint: "EXPOSE takes only a container port and an optional protocol; publish ports when running the container",
    imageTsHint: "expose() takes only a container port and an optional protocol; publish ports when running the container",
  } satisfies LintRule<[string]>,
  CopyIgnoredFile: {
    name: "CopyIgnoredFile",
    description: "Attempting to Copy file that is excluded by .dockerignore",
    url: docs("copy-ignored-file"),
    severity: "warning",
    format: (command: string, file: string) => `Attempting to ${command} file ${q(file)} that is excluded by .dockerignore`,
    hint: "remove the path from .dockerignore or stop copying it",
  } satisfies LintRule<[string, string]>,

  // Strata's own.
  StrataRunMerge: {
    name: "StrataRunMerge",
    description: "Adjacent RUN instructions that Strata merges into one layer",
    url: undefined,
    severity: "info",
    format: (count: number, first: number, last: number) => `${count} adjacent RUN instructions (lines ${first}-${last}) will be merged into one layer`,
    hint: "put a `# strata:layer` comment line between RUNs to keep them in separate layers",
    imageTsHint: "pass { newLayer: true } to the later run() to keep them in separate layers",
  } satisfies LintRule<[number, number, number]>,
  StrataUnknownDirective: {
    name: "StrataUnknownDirective",
    description: "A comment that looks like a Strata directive but is not one",
    url: undefined,
    severity: "warning",
    format: (comment: string, suggestion: string | undefined) =>
      `Comment ${q(comment)} is not a known Strata directive and is ignored${didYouMean(suggestion === undefined ? undefined : q(`# ${suggestion}`))}`,
    hint: `Strata's directives are comment lines written exactly as ${STRATA_DIRECTIVES.map((d) => `\`# ${d}\``).join(", ")} (lower case, no space after the colon)`,
    dockerfileOnly: true,
  } satisfies LintRule<[string, string | undefined]>,
  StrataAptNoRecommends: {
    name: "StrataAptNoRecommends",
    description: "apt-get install should use --no-install-recommends",
    url: undefined,
    severity: "warning",
    format: (command: string) => `${command} without --no-install-recommends installs recommended packages too`,
    hint: "add --no-install-recommends to keep the layer small",
  } satisfies LintRule<[string]>,
  StrataAptListsNotCleaned: {
    name: "StrataAptListsNotCleaned",
    description: "A RUN that installs with apt-get should remove /var/lib/apt/lists in the same RUN",
    url: undefined,
    severity: "warning",
    format: () => "apt-get install without removing /var/lib/apt/lists/* in the same RUN leaves the package lists in the layer",
    hint: "end the RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount a cache on /var/lib/apt/lists",
    imageTsHint: "end the script with `&& rm -rf /var/lib/apt/lists/*`, or mount a cache on /var/lib/apt/lists",
  } satisfies LintRule<[]>,
  StrataCdInRun: {
    name: "StrataCdInRun",
    description: "Use WORKDIR instead of cd at the start of a RUN",
    url: undefined,
    severity: "warning",
    format: (dir: string) => `RUN starts with "cd ${dir}": use WORKDIR ${dir} instead`,
    hint: "WORKDIR sets the directory for the instructions after it, and creates it if needed",
    imageTsHint: "workdir() sets the directory for the calls after it, and creates it if needed",
  } satisfies LintRule<[string]>,
} as const;

export type RuleName = keyof typeof RULES;

/** Every rule, in documentation order. */
export const RULE_LIST: readonly LintRule<never>[] = Object.values(RULES) as readonly LintRule<never>[];

/** The rule of a diagnostic code, if the code is a lint rule's. */
export function ruleByName(name: string): LintRule<never> | undefined {
  return Object.hasOwn(RULES, name) ? (RULES[name as RuleName] as LintRule<never>) : undefined;
}

/** A diagnostic for one finding of `rule`. */
export function finding<A extends readonly unknown[]>(rule: LintRule<A>, file: string, span: Span, ...args: A): Diagnostic {
  return { code: rule.name, severity: rule.severity, message: rule.format(...args), file, span, hint: rule.hint };
}
