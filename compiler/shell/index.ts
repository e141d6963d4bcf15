/** Dockerfile word expansion, as BuildKit's frontend/dockerfile/shell. */
export { envFromRecord, expandWithEnvRecord, expandWord, expandWords } from "./expand.ts";
export type {
  EscapeToken,
  ExpandFailure,
  ExpandOptions,
  ExpandRefs,
  ExpandResult,
  ExpandValue,
  ExpandWordsResult,
  ExpandWordsValue,
  ShellEnv,
} from "./types.ts";
