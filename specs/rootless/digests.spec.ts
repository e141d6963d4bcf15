/**
 * Rootless builds give root's digests (issue 20, acceptance 1): as the ordinary user
 * `strata-rootless` (specs/helpers/rootless.ts), with no --rootless flag, every differential case
 * and every example with a deterministic result is built, and under SOURCE_DATE_EPOCH its image ID
 * is the one root's build of the same Dockerfile on the same base has. The base is one image:
 * imported once by root, saved, and loaded by the user. examples/sshd (apt installs, so no two
 * builds agree byte for byte) is built rootless and its sshd checks its configuration.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cases } from "../differential/cases.ts";
import { caseDir } from "../differential/harness.ts";
import { asUser, describeRootless, userDir, userStoreWithBusybox } from "../helpers/rootless.ts";
import { repoRoot, strataAsync } from "../helpers/strata.ts";

const SDE = { SOURCE_DATE_EPOCH: "1700000000" };

interface Build {
  readonly tag: string;
  readonly context: string;
  readonly dockerfile?: string;
  readonly target?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
}

function buildArgs(b: Build): string[] {
  const args = ["build", "-q", "-t", b.tag];
  if (b.dockerfile !== undefined) args.push("-f", b.dockerfile);
  if (b.target !== undefined) args.push("--target", b.target);
  for (const [k, v] of Object.entries(b.buildArgs ?? {})) args.push("--build-arg", `${k}=${v}`);
  return [...args, b.context];
}

/** Each compared image with the builds before it (bases), by name. */
const builds: Record<string, Build[]> = {};
for (const [name, c] of Object.entries(cases)) {
  const dir = caseDir(c.dir ?? name);
  const before = (c.before ?? []).map((b) => ({ tag: b.tag, context: join(dir, b.context ?? "."), ...(b.dockerfile !== undefined && { dockerfile: join(dir, b.dockerfile) }), ...(b.target !== undefined && { target: b.target }), ...(b.buildArgs !== undefined && { buildArgs: b.buildArgs }) }));
  const context = join(dir, c.context ?? ".");
  builds[`case ${name}`] = [
    ...before,
    { tag: `${name}:latest`, context, dockerfile: join(dir, c.dockerfile ?? "Dockerfile"), ...(c.target !== undefined && { target: c.target }), ...(c.buildArgs !== undefined && { buildArgs: c.buildArgs }) },
  ];
}
const example = (p: string) => join(repoRoot, "examples", p);
builds["examples/hello (Dockerfile)"] = [{ tag: "hello:latest", context: example("hello") }];
builds["examples/hello (image.ts)"] = [{ tag: "hello-ts:latest", context: example("hello"), dockerfile: example("hello/image.ts") }];
builds["examples/entrypoint"] = [{ tag: "entrypoint:latest", context: example("entrypoint") }];
builds["examples/entrypoint (image.ts)"] = [{ tag: "entrypoint-ts:latest", context: example("entrypoint"), dockerfile: example("entrypoint/image.ts") }];
builds["examples/multi-target"] = [{ tag: "multi:latest", context: example("multi-target") }];
builds["examples/multi-target --target date"] = [{ tag: "multi-date:latest", context: example("multi-target"), target: "date" }];

const imageId = (out: string): string => out.trim().split("\n").at(-1) ?? "";

describeRootless("rootless: an ordinary user's builds have root's digests", () => {
  let stores: { root: string; userRoot: string; cleanup: () => void };
  let rootStore: { root: string };
  let userStore: string;
  let scratch: string;

  beforeAll(async () => {
    stores = await userStoreWithBusybox("rootless-digests");
    rootStore = { root: stores.root };
    userStore = stores.userRoot;
    scratch = userDir("rootless-digests-scratch");
  }, 120_000);

  afterAll(() => {
    stores?.cleanup();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  for (const [name, steps] of Object.entries(builds)) {
    it(name, { timeout: 240_000 }, async () => {
      let rootId = "";
      let userId = "";
      for (const b of steps) {
        const [asRoot, rootless] = await Promise.all([strataAsync(rootStore.root, buildArgs(b), { env: SDE }), asUser(["--root", userStore, ...buildArgs(b)], { env: SDE })]);
        expect(asRoot.code, `root: ${asRoot.stderr}`).toBe(0);
        expect(rootless.code, `rootless: ${rootless.stderr}`).toBe(0);
        rootId = imageId(asRoot.stdout);
        userId = imageId(rootless.stdout);
      }
      expect(rootId).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(userId).toBe(rootId);
    });
  }

  it("examples/sshd builds rootless on Debian bookworm, and its sshd passes its own check", { timeout: 900_000 }, async () => {
    const tar = join(scratch, "debian.tar");
    const mk = spawnSync("bash", [join(repoRoot, "scripts/debian-rootfs.sh"), tar], { encoding: "utf8" });
    expect(mk.status, mk.stderr).toBe(0);
    chmodSync(tar, 0o644);
    const imp = await asUser(["--root", userStore, "import", tar, "debian:bookworm"]);
    expect(imp.code, imp.stderr).toBe(0);
    const built = await asUser(["--root", userStore, "build", "-q", "-t", "sshd:latest", example("sshd")]);
    expect(built.code, built.stderr).toBe(0);
    const check = await asUser(["--root", userStore, "run", "--rm", "sshd:latest", "/usr/sbin/sshd", "-t"]);
    expect(check.code, check.stderr).toBe(0);
  });
});
