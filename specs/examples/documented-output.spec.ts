/**
 * Every example's README tells the truth: the commands it documents, run as written, print
 * exactly what it shows under them. The README is the test data, so it cannot drift.
 *
 * The convention (examples/<name>/README.md; parsed by console-blocks.ts):
 * - A ```console block is checked. A line "$ COMMAND" is a command; the lines under it, up to
 *   the next "$ " line or the end of the block, are exactly what it prints on standard output
 *   (no lines: it prints nothing there). Standard error, where `strata build` writes its
 *   progress, is neither shown nor compared. Every command must exit 0.
 * - Commands run in bash, from the repository root, in README order; all of one README's
 *   commands share one fresh store (STRATA_ROOT, a temp dir), and `strata` is this clone's
 *   bin/strata.js under this Node.
 * - Base images: a README that needs one carries its setup line (below) verbatim, in a block
 *   that is not run (```sh). The spec makes that base its own way instead, from the same script:
 *   busybox from the tar that specs/reliability/busybox.ts caches, into the store before the
 *   first command; nothing comes from a registry.
 * - ```console mirror: a block that needs the Debian mirror (debootstrap, the build's apt-get).
 *   Slow and off the loopback, so it runs only with STRATA_EXAMPLES_MIRROR=1 (debian:bookworm
 *   is then debootstrapped into the store before the first such block); otherwise its commands
 *   are skipped. specs/examples/sshd.spec.ts builds and checks that image in the full suite.
 * Needs root (runc, overlayfs): skipped with a notice otherwise. Every example folder must
 * have a README with at least one checked command outside mirror blocks.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, strata, tempDir } from "../helpers/strata.ts";
import { importBusybox } from "../reliability/busybox.ts";
import { type DocumentedCommand, documentedCommands } from "./console-blocks.ts";

const isRoot = process.getuid?.() === 0;
const mirror = process.env.STRATA_EXAMPLES_MIRROR === "1";
if (!isRoot) console.warn("specs/examples/documented-output.spec.ts: skipped, it needs root (runc, overlayfs)");

/** The setup lines a README may carry, and how the spec makes each base instead. */
const setups = [
  {
    line: "bash scripts/busybox-rootfs.sh /tmp/busybox.tar && strata import /tmp/busybox.tar busybox:latest",
    needsMirror: false,
    make: importBusybox,
  },
  {
    line: "bash scripts/debian-rootfs.sh /tmp/debian.tar && strata import /tmp/debian.tar debian:bookworm",
    needsMirror: true,
    make: importDebian,
  },
];

/** scripts/debian-rootfs.sh's tarball (cached by the script per day) imported as debian:bookworm. */
function importDebian(root: string): void {
  const tar = `${root}-debian.tar`;
  const mk = spawnSync("bash", [join(repoRoot, "scripts/debian-rootfs.sh"), tar], { encoding: "utf8" });
  if (mk.status !== 0) throw new Error(`scripts/debian-rootfs.sh failed (is the Debian mirror reachable?):\n${mk.stderr}`);
  const imp = strata(root, ["import", tar, "debian:bookworm"]);
  rmSync(tar, { force: true });
  if (imp.code !== 0) throw new Error(`strata import of the Debian rootfs failed:\n${imp.stderr}`);
}

const examples = readdirSync(join(repoRoot, "examples"))
  .filter((d) => statSync(join(repoRoot, "examples", d)).isDirectory())
  .sort();

describe("every example folder has a README with checked commands", () => {
  for (const name of examples) {
    it(`examples/${name}/README.md`, () => {
      const file = join(repoRoot, "examples", name, "README.md");
      expect(existsSync(file), `examples/${name} has no README.md`).toBe(true);
      const { commands, errors } = documentedCommands(readFileSync(file, "utf8"));
      expect(errors).toEqual([]);
      expect(commands.filter((c) => !c.tags.includes("mirror")).length).toBeGreaterThan(0);
    });
  }
});

describe("the README convention", () => {
  it("reads commands, their exact output, tags and empty output; reports malformed blocks", () => {
    const text = ["# x", "```sh", "$ not run", "```", "```console", "$ a", "one", "", "$ b", "$ c", "two", "```", "```console mirror", "$ d", "```"].join("\n");
    expect(documentedCommands(text)).toEqual({
      commands: [
        { line: 6, command: "a", stdout: "one\n\n", tags: [] },
        { line: 9, command: "b", stdout: "", tags: [] },
        { line: 10, command: "c", stdout: "two\n", tags: [] },
        { line: 14, command: "d", stdout: "", tags: ["mirror"] },
      ],
      errors: [],
    });
    expect(documentedCommands("```console\nstray\n$ a\n").errors).toEqual(['line 2: output before the block\'s first "$ " command', "line 1: the block is never closed"]);
  });
});

/** The directory whose `strata` runs this clone's CLI under this Node. */
let shimDir = "";
beforeAll(() => {
  shimDir = tempDir("examples-shim");
  writeFileSync(join(shimDir, "strata"), `#!/bin/sh\nexec '${process.execPath}' '${join(repoRoot, "bin/strata.js")}' "$@"\n`, { mode: 0o755 });
});
afterAll(() => rmSync(shimDir, { recursive: true, force: true }));

function run(c: DocumentedCommand, root: string) {
  const r = spawnSync("bash", ["-c", c.command], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, STRATA_ROOT: root, PATH: `${shimDir}:${process.env.PATH}` },
    maxBuffer: 16 << 20,
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

for (const name of examples) {
  const file = join(repoRoot, "examples", name, "README.md");
  if (!existsSync(file)) continue;
  const text = readFileSync(file, "utf8");
  const { commands } = documentedCommands(text);
  const needed = setups.filter((s) => text.includes(s.line));

  describe.skipIf(!isRoot)(`examples/${name}/README.md prints what it says`, () => {
    let root = "";
    let mirrorReady = false;
    beforeAll(() => {
      root = tempDir(`examples-${name}-root`);
      for (const s of needed) if (!s.needsMirror) s.make(root);
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    for (const c of commands) {
      const needsMirror = c.tags.includes("mirror");
      it.skipIf(needsMirror && !mirror)(`README.md:${c.line} $ ${c.command}`, { timeout: needsMirror ? 900_000 : 120_000 }, () => {
        if (needsMirror && !mirrorReady) {
          for (const s of needed) if (s.needsMirror) s.make(root);
          mirrorReady = true;
        }
        const r = run(c, root);
        expect(r.code, `exit ${r.code}; standard error:\n${r.stderr}`).toBe(0);
        expect(r.stdout, `standard error:\n${r.stderr}`).toBe(c.stdout);
      });
    }
  });
}
