/**
 * Stable diagnostic codes. A code never changes meaning once released; add new
 * ones at the end of their range. The lint rules' codes are their names
 * (compiler/lint/rules.ts, BuildKit's names for BuildKit's rules), and
 * TypeScript's own errors in an image.ts keep TypeScript's codes (`TS2345`).
 * runtime/errors/catalogue.ts lists all of them with the runtime's codes.
 */
export const DIAGNOSTIC_CODES = {
  // The Dockerfile front end: DF001–DF019 from the generic parse (BuildKit's parser),
  // DF020–DF049 from typing instructions (BuildKit's instructions package).
  DF001: "unknown instruction",
  DF002: "the file has no instructions",
  DF003: "a parser directive is repeated",
  DF004: "invalid escape directive (must be \\ or `)",
  DF005: "a physical line is longer than 65,535 bytes",
  DF006: "unterminated heredoc",
  DF007: "a JSON array argument contains something other than strings",
  DF008: "ENV/LABEL legacy form needs a name and a value",
  DF009: "ENV/LABEL word without '=' in the name=value form",
  DF010: "empty continuation line (warning)",
  DF011: "malformed input the grammar could not parse",
  DF012: "malformed check directive (warning)",
  DF013: "a NUL byte in the Dockerfile (a binary or UTF-16 file)",
  DF020: "unknown flag for this instruction",
  DF021: "invalid flag value",
  DF022: "flag repeated, or missing/unexpected value",
  DF023: "missing arguments",
  DF024: "too many arguments",
  DF025: "invalid argument",
  DF026: "instruction not allowed as an ONBUILD trigger",
  DF027: "invalid duration",
  DF028: "SHELL requires the JSON form",
  DF029: "invalid RUN --mount option",
  // Lowering (compiler/lower/).
  LW001: "a word cannot be expanded (a malformed variable reference, or the ?-form of a variable that is unset)",
  LW002: "an instruction other than ARG before the first FROM",
  LW003: "the Dockerfile has no FROM instruction",
  LW004: "the --target stage does not exist",
  LW005: "COPY --from names a stage index that does not come before it",
  LW006: "a base image's ONBUILD trigger is an instruction ONBUILD may not run (FROM, ONBUILD, MAINTAINER)",
  LW007: "FROM's image expands to the empty string (an ARG with an empty or no default)",
  LW008: "an EXPOSE word is not a port, a port range or port/protocol (tcp, udp, sctp), or a port is above 65535",
  LW009: "STOPSIGNAL is not a signal name (SIGTERM, TERM, SIGRTMIN+3) or a non-zero number",
  LW010: "a COPY/ADD source expands to the empty string: as in BuildKit, it copies the whole context or stage (warning)",
  LW012: "retired (no longer reported): FROM and RUN --mount from= of a --build-context that is a local directory were refused before they were supported",
  LW011: "a stage's base, or an image a COPY --from or RUN --mount from= reads, is for another platform than the stage's (FROM --platform, or the build's): its layers would not be what the config says",
  // image.ts (compiler/imagets/, runtime/imagets/); TypeScript's own errors keep their TSnnnn codes.
  TS001: "an image.ts builder call cannot be lowered (no exported image, a missing source, a bad option)",
  TS002: "image.ts cannot be loaded: a module that cannot be transpiled, an import that cannot be resolved, an import cycle",
  TS003: "image.ts threw while it was evaluated",
  // strata convert.
  CV001: "a Dockerfile word cannot be written as an image.ts string",
  // Base images (runtime/engine/compile/bases.ts reports these as diagnostics at the instruction).
  IMG001: "a base image (FROM, from(), COPY --from, RUN --mount from=) is not in the store and could not be pulled or inspected",
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** TypeScript's own diagnostics in an image.ts: TS followed by TypeScript's number. */
export const TYPESCRIPT_CODE = /^TS\d{4,5}$/;
