import type { RunCommand } from "../../../../compiler/ir/graph.ts";
import { parseHeredocWord } from "../../../../compiler/dockerfile/heredoc.ts";

/** Where BuildKit mounts a heredoc script that has a shebang. */
export const PIPES_DIR = "/dev/pipes";

/** A file the command needs mounted read-only under PIPES_DIR. */
export interface HeredocFile {
  /** Path relative to PIPES_DIR. */
  readonly name: string;
  readonly content: string;
  readonly mode: number;
}

export interface PreparedCommand {
  readonly args: string[];
  readonly files: HeredocFile[];
}

/**
 * The argv a RUN command with heredocs runs, as BuildKit's dispatchRun builds
 * it. The lowering gives the shell-form argv (`[...SHELL, script]`) where the
 * script is the instruction's command line (`<<EOF`, `cat <<EOF > f`, ...)
 * and the bodies apart (already tab-stripped for `<<-`).
 *
 * - The command line is one heredoc word (`RUN <<EOF`): its body is the
 *   script. When the body starts with `#!` it is written to
 *   /dev/pipes/<name> (mode 0755, mounted read-only from outside the rootfs)
 *   and the shell runs that path, so the kernel honours the shebang;
 *   otherwise the body itself is the shell's script.
 * - Anything else (`cat <<EOF`, `3<<EOF cmd`, several heredocs): the command
 *   line and each body followed by its delimiter are joined with newlines
 *   into one script and the shell does the heredocs itself — stdin, `N<<`
 *   file descriptors, expansion or not for quoted delimiters — exactly as the
 *   shell would from a script file.
 */
export function prepareCommand(c: RunCommand): PreparedCommand {
  if (c.heredocs.length === 0 || c.args.length < 2) return { args: [...c.args], files: [] };
  const shell = c.args.slice(0, -1);
  const script = c.args[c.args.length - 1] as string;
  const first = c.heredocs[0] as RunCommand["heredocs"][number];
  const only = parseHeredocWord(script.trim());
  if (only !== undefined) {
    if (first.content.startsWith("#!")) {
      const name = first.name;
      return { args: [...shell, `${PIPES_DIR}/${name}`], files: [{ name, content: first.content, mode: 0o755 }] };
    }
    return { args: [...shell, first.content], files: [] };
  }
  let full = script;
  for (const h of c.heredocs) full += `\n${h.content}${h.name}`;
  return { args: [...shell, full], files: [] };
}
