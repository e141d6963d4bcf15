/** Every check, by the name of the rule it reports. */
import type { RuleName } from "../rules.ts";
import type { Check } from "../types.ts";
import { aptListsNotCleaned, aptNoRecommends } from "./apt.ts";
import { consistentInstructionCasing, fromAsCasing, stageNameCasing } from "./casing.ts";
import { cdInRun } from "./cd-in-run.ts";
import { jsonArgsRecommended, maintainerDeprecated, multipleInstructionsDisallowed } from "./commands.ts";
import { copyIgnoredFile } from "./copy-ignored.ts";
import { exposeInvalidFormat, exposeProtoCasing } from "./expose.ts";
import { invalidDefaultArgInFrom, redundantTargetPlatform, undefinedArgInFrom } from "./from-args.ts";
import { legacyKeyValueFormat } from "./key-value.ts";
import { noEmptyContinuation } from "./no-empty-continuation.ts";
import { runMerge } from "./run-merge.ts";
import { secretsUsedInArgOrEnv } from "./secrets.ts";
import { duplicateStageName, reservedStageName } from "./stage-names.ts";
import { undefinedVar } from "./undefined-var.ts";
import { unknownDirective } from "./unknown-directive.ts";
import { workdirRelativePath } from "./workdir.ts";

export const CHECKS: Readonly<Record<RuleName, Check>> = {
  StageNameCasing: stageNameCasing,
  FromAsCasing: fromAsCasing,
  NoEmptyContinuation: noEmptyContinuation,
  ConsistentInstructionCasing: consistentInstructionCasing,
  DuplicateStageName: duplicateStageName,
  ReservedStageName: reservedStageName,
  JSONArgsRecommended: jsonArgsRecommended,
  MaintainerDeprecated: maintainerDeprecated,
  UndefinedArgInFrom: undefinedArgInFrom,
  WorkdirRelativePath: workdirRelativePath,
  UndefinedVar: undefinedVar,
  MultipleInstructionsDisallowed: multipleInstructionsDisallowed,
  LegacyKeyValueFormat: legacyKeyValueFormat,
  RedundantTargetPlatform: redundantTargetPlatform,
  SecretsUsedInArgOrEnv: secretsUsedInArgOrEnv,
  InvalidDefaultArgInFrom: invalidDefaultArgInFrom,
  ExposeProtoCasing: exposeProtoCasing,
  ExposeInvalidFormat: exposeInvalidFormat,
  CopyIgnoredFile: copyIgnoredFile,
  StrataRunMerge: runMerge,
  StrataUnknownDirective: unknownDirective,
  StrataAptNoRecommends: aptNoRecommends,
  StrataAptListsNotCleaned: aptListsNotCleaned,
  StrataCdInRun: cdInRun,
};
