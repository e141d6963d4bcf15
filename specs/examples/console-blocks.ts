/**
 * The checked commands of an example's README: its ```console blocks, each line "$ COMMAND"
 * followed by exactly what COMMAND prints on standard output (the convention is written out in
 * documented-output.spec.ts). Pure: text in, commands out; a malformed block is an error value.
 */

/** One documented command and the standard output the README promises for it. */
export interface DocumentedCommand {
  /** 1-based line of the "$ " line in the README. */
  readonly line: number;
  /** The command, as a user types it (bash, from the repository root). */
  readonly command: string;
  /** Exactly what it prints on standard output: the lines under it, each ending in "\n". */
  readonly stdout: string;
  /** The block's tags after "console" (e.g. "mirror"). */
  readonly tags: readonly string[];
}

export interface ParsedReadme {
  readonly commands: readonly DocumentedCommand[];
  /** Problems with the blocks themselves (an unclosed fence, output before any command). */
  readonly errors: readonly string[];
}

const FENCE = /^```(.*)$/;

export function documentedCommands(text: string): ParsedReadme {
  const lines = text.split("\n");
  const commands: { line: number; command: string; out: string[]; tags: string[] }[] = [];
  const errors: string[] = [];
  let open: { line: number; console: boolean; tags: string[] } | undefined;
  let current: (typeof commands)[number] | undefined;
  lines.forEach((text, i) => {
    const fence = FENCE.exec(text);
    if (fence !== null) {
      if (open === undefined) {
        const [lang = "", ...tags] = (fence[1] ?? "").trim().split(/\s+/);
        open = { line: i + 1, console: lang === "console", tags };
      } else if ((fence[1] ?? "").trim() === "") {
        open = undefined;
        current = undefined;
      } else errors.push(`line ${i + 1}: a fence opens inside the block of line ${open.line}`);
      return;
    }
    if (open === undefined || !open.console) return;
    if (text.startsWith("$ ")) {
      current = { line: i + 1, command: text.slice(2), out: [], tags: open.tags };
      commands.push(current);
    } else if (current === undefined) errors.push(`line ${i + 1}: output before the block's first "$ " command`);
    else current.out.push(text);
  });
  if (open !== undefined) errors.push(`line ${open.line}: the block is never closed`);
  return {
    commands: commands.map((c) => ({ line: c.line, command: c.command, stdout: c.out.map((l) => `${l}\n`).join(""), tags: c.tags })),
    errors,
  };
}
