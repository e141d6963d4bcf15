import { Argument, type Command } from "commander";
import { bashScript, completionTree, fishScript, zshScript } from "../completion.ts";

/** `strata completion bash|zsh|fish`: the completion script of the whole command tree (main.ts registers every command first). */
export function registerCompletion(program: Command): void {
  program
    .command("completion")
    .description("Print a shell completion script: eval \"$(strata completion bash)\"")
    .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(["bash", "zsh", "fish"]))
    .action((shell: "bash" | "zsh" | "fish") => {
      const tree = completionTree(program);
      process.stdout.write(shell === "bash" ? bashScript(tree) : shell === "zsh" ? zshScript(tree) : fishScript(tree));
    });
}
