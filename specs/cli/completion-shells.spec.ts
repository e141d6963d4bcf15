/**
 * Issue 18 (h18c item 7): `strata completion zsh|fish` in the real shells (Debian's zsh and
 * fish, installed by scripts/test.sh). zsh: the script loads after `compinit` and defines
 * `_strata` for `strata`; typing `strata bu<TAB>` in an interactive zsh on a pseudo-terminal
 * (zsh/zpty) completes the line to `strata build `. fish: `complete -C 'strata bu'` lists build.
 * Each is checked against the shell without the script, where the same words complete nothing.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strata, tempDir } from "../helpers/strata.ts";

const dir = tempDir("completion-shells");
const cwd = tempDir("completion-shells-cwd");
/** The shells' own state (fish's history and variables) stays in the spec's folder. */
const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, "config"), XDG_DATA_HOME: join(dir, "data"), XDG_CACHE_HOME: join(dir, "cache") };
const zshScript = join(dir, "_strata");
const fishScript = join(dir, "strata.fish");
const noScript = join(dir, "empty.sh");

beforeAll(() => {
  for (const [shell, file] of [
    ["zsh", zshScript],
    ["fish", fishScript],
  ] as const) {
    const r = strata(join(dir, "root"), ["completion", shell]);
    expect(r.code, r.stderr).toBe(0);
    writeFileSync(file, r.stdout);
  }
  writeFileSync(noScript, "\n");
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

/**
 * An interactive `zsh -f` on a pseudo-terminal: compinit, the script, then `typed` and a TAB;
 * a widget bound to ^X writes the edited line to a file, which is the completion's result.
 */
function zshComplete(script: string, typed: string): string {
  const out = join(dir, `line-${Math.random().toString(36).slice(2)}`);
  const driver = [
    "zmodload zsh/zpty",
    "zpty z 'zsh -f -i'",
    `zpty -w z "autoload -Uz compinit; compinit -u -D; source \${(q)1}; _dump() { print -r -- \\"\\$BUFFER\\" > \${(q)3} }; zle -N _dump; bindkey '^X' _dump"`,
    `zpty -w -n z "$2"$'\\t'`,
    `zpty -w -n z $'\\C-x'`,
    "for i in {1..100}; do [[ -s $3 ]] && break; sleep 0.1; done",
    "zpty -d z",
  ].join("\n");
  const r = spawnSync("zsh", ["-f", "-c", driver, "zsh", script, typed, out], { cwd, env, encoding: "utf8", timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  const line = readFileSync(out, "utf8");
  rmSync(out);
  return line.replace(/\n$/, "");
}

function fishComplete(script: string, typed: string): string[] {
  const r = spawnSync("fish", ["--no-config", "-c", `source '${script}'; complete -C '${typed}'`], { cwd, env, encoding: "utf8", timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toBe("");
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split("\t")[0] as string);
}

describe("zsh", () => {
  it("loads after compinit without an error and defines _strata for strata", () => {
    const r = spawnSync("zsh", ["-f", "-c", `autoload -Uz compinit; compinit -u -D; source '${zshScript}'; print -r -- \${+functions[_strata]} \${_comps[strata]}`], { cwd, env, encoding: "utf8" });
    expect([r.status, r.stderr, r.stdout]).toEqual([0, "", "1 _strata\n"]);
  });

  it("completes commands, subcommands and options on a terminal (zpty), after options that take values too", () => {
    expect(zshComplete(zshScript, "strata bu")).toBe("strata build ");
    expect(zshComplete(zshScript, "strata image pr")).toBe("strata image prune ");
    expect(zshComplete(zshScript, "strata --root /x build --ul")).toBe("strata --root /x build --ulimit ");
    // Without the script the same words complete nothing (the folder is empty).
    expect(zshComplete(noScript, "strata bu")).toBe("strata bu");
  });
});

describe("fish", () => {
  it("complete -C lists the subcommands and options of the command path typed so far", () => {
    expect(fishComplete(fishScript, "strata bu")).toEqual(["build"]);
    expect(fishComplete(fishScript, "strata image pr")).toEqual(["prune"]);
    expect(fishComplete(fishScript, "strata build --ul")).toEqual(["--ulimit"]);
    expect(fishComplete(fishScript, "strata system ")).toEqual(expect.arrayContaining(["df", "prune", "info", "verify"]));
    expect(fishComplete(noScript, "strata bu")).toEqual([]);
  });
});
