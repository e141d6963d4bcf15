/**
 * Shell completion scripts generated from the commander tree (`strata completion bash|zsh|fish`):
 * every command path's subcommands (aliases included) and options, so a new command or flag is
 * completed without touching this file. Words are completed by where they stand: after the
 * subcommands so far, a word starting with `-` takes that command's options, another word its
 * subcommands, or files when it has none (and after an option that takes a value).
 */
import type { Command } from "commander";

export interface CompletionNode {
  /** "strata", "strata image", "strata image ls". */
  readonly path: string;
  readonly subcommands: readonly { readonly name: string; readonly description: string }[];
  readonly options: readonly { readonly flags: readonly string[]; readonly takesValue: boolean; readonly description: string }[];
}

/** Every command of the tree, depth first, with what may follow it. */
export function completionTree(root: Command): CompletionNode[] {
  const out: CompletionNode[] = [];
  const walk = (cmd: Command, path: string): void => {
    const subcommands = cmd.commands.flatMap((c) => [c.name(), ...c.aliases()].map((name) => ({ name, description: c.description() })));
    const options = [...cmd.options.map((o) => ({ flags: [o.short, o.long].filter((f): f is string => f !== undefined), takesValue: o.required || o.optional, description: o.description })), { flags: ["-h", "--help"], takesValue: false, description: "display help" }];
    out.push({ path, subcommands, options });
    for (const c of cmd.commands) for (const name of [c.name(), ...c.aliases()]) walk(c, `${path} ${name}`);
  };
  walk(root, root.name());
  return out;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Space-separated words of each path, as a shell associative array's entries. */
function entries(tree: readonly CompletionNode[], words: (n: CompletionNode) => readonly string[]): string {
  return tree.map((n) => `  [${quote(n.path)}]=${quote(words(n).join(" "))}`).join("\n");
}

const valueOptions = (n: CompletionNode): string[] => n.options.filter((o) => o.takesValue).flatMap((o) => o.flags);

/** The path of the command the words before the cursor name (shared by bash and zsh: both have `[[ ]]` and associative arrays). */
const PATH_LOOP = (words: string, first: string, last: string) => `  local cmdpath=strata w i skip=0
  for ((i = ${first}; i < ${last}; i++)); do
    w=\${${words}[i]}
    if ((skip)); then skip=0; continue; fi
    if [[ $w == -* ]]; then
      [[ " \${_strata_values[$cmdpath]} " == *" $w "* ]] && skip=1
      continue
    fi
    [[ " \${_strata_subcommands[$cmdpath]} " == *" $w "* ]] && cmdpath="$cmdpath $w"
  done`;

export function bashScript(tree: readonly CompletionNode[]): string {
  return `# strata completion for bash: eval "$(strata completion bash)", or save it under
# /etc/bash_completion.d/strata (or ~/.local/share/bash-completion/completions/strata).
declare -gA _strata_subcommands=(
${entries(tree, (n) => n.subcommands.map((s) => s.name))}
)
declare -gA _strata_options=(
${entries(tree, (n) => n.options.flatMap((o) => o.flags))}
)
declare -gA _strata_values=(
${entries(tree, valueOptions)}
)
_strata() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
${PATH_LOOP("COMP_WORDS", "1", "COMP_CWORD")}
  if ((skip)); then
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "\${_strata_options[$cmdpath]}" -- "$cur"))
  elif [[ -n \${_strata_subcommands[$cmdpath]} ]]; then
    COMPREPLY=($(compgen -W "\${_strata_subcommands[$cmdpath]}" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o default -F _strata strata
`;
}

export function zshScript(tree: readonly CompletionNode[]): string {
  return `#compdef strata
# strata completion for zsh: save it as _strata in a directory of $fpath (or source it after compinit).
typeset -gA _strata_subcommands _strata_options _strata_values
_strata_subcommands=(
${entries(tree, (n) => n.subcommands.map((s) => s.name)).replace(/^ {2}\[('.*?')\]=/gm, "  $1 ")}
)
_strata_options=(
${entries(tree, (n) => n.options.flatMap((o) => o.flags)).replace(/^ {2}\[('.*?')\]=/gm, "  $1 ")}
)
_strata_values=(
${entries(tree, valueOptions).replace(/^ {2}\[('.*?')\]=/gm, "  $1 ")}
)
_strata() {
${PATH_LOOP("words", "2", "CURRENT")}
  if ((skip)); then
    _files
  elif [[ $PREFIX == -* ]]; then
    compadd -- \${=_strata_options[$cmdpath]}
  elif [[ -n \${_strata_subcommands[$cmdpath]} ]]; then
    compadd -- \${=_strata_subcommands[$cmdpath]}
  else
    _files
  fi
}
compdef _strata strata
`;
}

export function fishScript(tree: readonly CompletionNode[]): string {
  const lines = [
    "# strata completion for fish: strata completion fish > ~/.config/fish/completions/strata.fish",
    "function __strata_path",
    "    set -l words (commandline -opc)",
    "    set -l path strata",
    "    for w in $words[2..-1]",
    "        string match -q -- '-*' $w; and continue",
    "        set -l subs (__strata_subcommands $path)",
    "        contains -- $w $subs; and set path \"$path $w\"",
    "    end",
    "    echo $path",
    "end",
    "function __strata_subcommands",
    "    switch $argv[1]",
    ...tree.filter((n) => n.subcommands.length > 0).flatMap((n) => [`        case ${quote(n.path)}`, `            printf '%s\\n' ${n.subcommands.map((s) => quote(s.name)).join(" ")}`]),
    "    end",
    "end",
    "complete -c strata -f",
  ];
  for (const n of tree) {
    const cond = `-n ${quote(`test (__strata_path) = ${quote(n.path)}`)}`;
    for (const s of n.subcommands) lines.push(`complete -c strata ${cond} -a ${quote(s.name)} -d ${quote(s.description)}`);
    for (const o of n.options) {
      const flags = o.flags.map((f) => (f.startsWith("--") ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`)).join(" ");
      lines.push(`complete -c strata ${cond} ${flags}${o.takesValue ? " -r -F" : ""} -d ${quote(o.description)}`);
    }
    if (n.subcommands.length === 0) lines.push(`complete -c strata ${cond} -F`);
  }
  return `${lines.join("\n")}\n`;
}
