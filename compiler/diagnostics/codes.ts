/**
 * Stable diagnostic codes. A code never changes meaning once released; add new
 * ones at the end of their range. `DF0xx` are Dockerfile front-end problems:
 * DF001–DF019 from the generic parse (BuildKit's parser), DF020–DF049 from
 * typing instructions (BuildKit's instructions package).
 */
export const DIAGNOSTIC_CODES = {
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
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
