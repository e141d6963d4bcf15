/**
 * Issue 16's acceptance for the npm package: pack, install the tarball under a
 * scratch prefix (no dev dependency), then as an unprivileged user run
 * --version, check, explain, convert, and type-check a user's image.ts in a
 * scratch project that depends on the tarball; as root, build and run
 * examples/hello with the installed command. The install directory is
 * unchanged afterwards. And on a Node older than 22, one line and exit 2.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/strata.ts";
import { busyboxTar } from "../reliability/busybox.ts";
import { type Packed, packAndInstall } from "./pack.ts";

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn("specs/package/install.spec.ts: skipped (needs root: it runs commands as nobody and builds with runc)");
const NOBODY = 65534;
const version = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }).version;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A command as nobody, with this Node first on PATH and a cache of its own. */
function asNobody(cmd: string, args: readonly string[], o: { cwd?: string; env?: Record<string, string> } = {}): Run {
  const r = spawnSync("setpriv", ["--reuid", String(NOBODY), "--regid", String(NOBODY), "--clear-groups", "--", cmd, ...args], {
    cwd: o.cwd ?? "/",
    encoding: "utf8",
    env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: home, XDG_CACHE_HOME: join(home, ".cache"), ...o.env },
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Every path under `dir` with its type, size, mode and mtime: what "unchanged" compares. */
function listing(dir: string): string {
  return execFileSync("find", [dir, "-printf", "%P %y %s %m %T@\n"], { encoding: "utf8" }).split("\n").sort().join("\n");
}

let pkg: Packed;
let home: string;
let before: string;

describe.skipIf(!isRoot)("the npm package, installed", () => {
  beforeAll(() => {
    pkg = packAndInstall("install");
    for (const d of [dirname(pkg.prefix), pkg.prefix]) chmodSync(d, 0o755);
    home = mkdtempSync(join(tmpdir(), "strata-install-home-"));
    chownSync(home, NOBODY, NOBODY);
    before = listing(pkg.prefix);
  }, 300_000);

  afterAll(() => {
    // Runs last: nothing any test ran wrote under the install directory.
    if (pkg) expect(listing(pkg.prefix)).toBe(before);
  });

  it("holds the bundle, the typed stdlib, README and LICENSE, and no specs, bench or dev scripts", () => {
    const files = execFileSync("tar", ["-tzf", pkg.tarball], { encoding: "utf8" }).trim().split("\n").map((f) => f.replace(/^package\//, ""));
    for (const f of ["package.json", "README.md", "LICENSE", "bin/strata.js", "dist/cli/main.js", "dist/cli/direct/pull.js", "dist/cli/direct/push.js", "dist/stdlib/index.js", "dist/stdlib/index.d.ts"]) expect(files).toContain(f);
    expect(files.filter((f) => /^(specs|bench|scripts|examples|compiler|runtime|stdlib)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("pull and push run from their one-file direct entries, with the same command line as the full CLI's", () => {
    const cli = join(pkg.installed, "dist/cli");
    const env = { ...process.env, PATH: `${dirname(process.execPath)}:/usr/bin:/bin` };
    for (const word of ["pull", "push"]) {
      const direct = join(cli, "direct", `${word}.js`);
      // One file: it imports nothing of the bundle's chunks.
      expect(readFileSync(direct, "utf8")).not.toMatch(/from\s+["']\.\.?\/chunk-/);
      const viaLauncher = spawnSync(join(pkg.prefix, "bin/strata"), [word, "--help"], { encoding: "utf8", env });
      const viaMain = spawnSync(process.execPath, [join(cli, "main.js"), word, "--help"], { encoding: "utf8", env });
      const viaDirect = spawnSync(process.execPath, [direct, word, "--help"], { encoding: "utf8", env });
      expect(viaLauncher.status).toBe(0);
      expect(viaLauncher.stdout).toContain(`Usage: strata ${word} [options]`);
      expect(viaDirect.stdout).toBe(viaMain.stdout);
      expect(viaLauncher.stdout).toBe(viaMain.stdout);
      // A usage error is the catalogue's line and exit code either way.
      const bad = spawnSync(process.execPath, [direct, word, "--no-such-flag", "x"], { encoding: "utf8", env });
      const badMain = spawnSync(process.execPath, [join(cli, "main.js"), word, "--no-such-flag", "x"], { encoding: "utf8", env });
      expect(bad.status).toBe(badMain.status);
      expect(bad.stderr).toContain("strata: error[USAGE]: unknown option '--no-such-flag'");
    }
  });

  it("installs no dev dependency, and the command is executable", () => {
    const deps = execFileSync("ls", [join(pkg.installed, "node_modules")], { encoding: "utf8" }).split("\n");
    for (const dev of ["esbuild", "vitest", "typescript", "@biomejs", "dependency-cruiser", "node"]) expect(deps).not.toContain(dev);
    // Committed executable: a second clone at the same path must not fail `npx strata` (npx chmods only on first link).
    expect(execFileSync("git", ["ls-files", "-s", "bin/strata.js"], { cwd: repoRoot, encoding: "utf8" })).toMatch(/^100755 /);
    const link = spawnSync(join(pkg.prefix, "bin/strata"), ["--version"], { encoding: "utf8", env: { ...process.env, PATH: `${dirname(process.execPath)}:/usr/bin:/bin` } });
    expect(link.stdout.trim()).toBe(version);
  });

  it("as nobody: --version, check, explain and convert", () => {
    const strata = join(pkg.prefix, "bin/strata");
    const v = asNobody(strata, ["--version"]);
    expect(v.stderr).toBe("");
    expect(v.stdout.trim()).toBe(version);

    const ctx = join(home, "ctx");
    mkdirSync(ctx);
    writeFileSync(join(ctx, "Dockerfile"), "FROM scratch\ncopy hello.txt /hello.txt\nCMD [\"/hello\"]\n");
    writeFileSync(join(ctx, "hello.txt"), "hi\n");
    chownSync(ctx, NOBODY, NOBODY);
    const root = join(home, "store");
    const check = asNobody(strata, ["--root", root, "check", join(ctx, "Dockerfile")]);
    expect(check.stderr + check.stdout).toMatch(/ConsistentInstructionCasing/);
    expect(check.stderr).not.toMatch(/\n\s+at /); // no stack trace

    // explain plans it and, as a build does, sums up the lint warnings on stderr (BuildKit's words).
    const explain = asNobody(strata, ["--root", root, "explain", ctx]);
    expect(explain.stderr).toMatch(/^1 warning found \(strata check .*Dockerfile shows them in full\):\n - ConsistentInstructionCasing: .* \(line 2\)\n$/);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/COPY hello\.txt/i);

    const convert = asNobody(strata, ["convert", join(ctx, "Dockerfile")]);
    expect(convert.stderr).toBe("");
    expect(convert.code).toBe(0);
    expect(convert.stdout).toMatch(/from "strata-build"/);
    expect(convert.stdout).toMatch(/scratch/);
  });

  it("as nobody: tsc --noEmit checks a user's image.ts in a project that depends on the tarball", () => {
    const project = join(home, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user-project", private: true, type: "module" }));
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", pkg.tarball], { cwd: project, stdio: ["ignore", "ignore", "inherit"] });
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "es2022", module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, skipLibCheck: false, types: [] }, include: ["*.ts"] }),
    );
    writeFileSync(join(project, "image.ts"), 'import { from, sh } from "strata-build";\nexport default from("busybox:latest").workdir("/app").run(sh`echo hi > hi.txt`).cmd(["cat", "hi.txt"]);\n');
    execFileSync("chown", ["-R", `${NOBODY}:${NOBODY}`, project]);
    const tsc = join(repoRoot, "node_modules/.bin/tsc");
    const ok = asNobody(tsc, ["--noEmit", "-p", "."], { cwd: project });
    expect(ok.stdout + ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    // The types are real: a wrong argument is an error in the user's file.
    writeFileSync(join(project, "bad.ts"), 'import { from } from "strata-build";\nexport default from("busybox").expose("http");\n');
    chownSync(join(project, "bad.ts"), NOBODY, NOBODY);
    const bad = asNobody(tsc, ["--noEmit", "-p", "."], { cwd: project });
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toMatch(/bad\.ts\(2,\d+\): error TS2345/);
  });

  it("as root: builds and runs examples/hello with the installed command", () => {
    const strata = join(pkg.prefix, "bin/strata");
    const root = mkdtempSync(join(tmpdir(), "strata-install-store-"));
    const env = { ...process.env, PATH: `${dirname(process.execPath)}:/usr/bin:/bin:/usr/sbin:/sbin`, XDG_CACHE_HOME: join(root, "cache") };
    const run = (args: string[]) => spawnSync(strata, ["--root", root, ...args], { encoding: "utf8", env, cwd: tmpdir() });
    expect(run(["import", busyboxTar(), "busybox:latest"]).status).toBe(0);
    const b = run(["build", "--progress", "plain", "-t", "hello:installed", join(repoRoot, "examples/hello")]);
    expect(b.stderr).not.toMatch(/\n\s+at /);
    expect(b.status).toBe(0);
    const r = run(["run", "--rm", "hello:installed"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/hello from a RUN step/);
  }, 180_000);
});

describe("the Node floor", () => {
  const old = "/usr/bin/node";
  const found = spawnSync(old, ["--version"], { encoding: "utf8" }).stdout?.trim() ?? "";
  const major = Number(found.replace(/^v/, "").split(".")[0]);
  const tooOld = found !== "" && major < 22;
  if (!tooOld) console.warn(`specs/package/install.spec.ts: no Node older than 22 at ${old} (${found || "none"}): floor case skipped`);
  it.skipIf(!tooOld)("on an older Node, bin/strata.js prints one line naming both versions and exits 2", () => {
    const r = spawnSync(old, [join(repoRoot, "bin/strata.js"), "--version"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`strata: error[ENV_NODE]: Node.js 22 or newer is needed; this is Node.js ${found} (${old})\n`);
  });
});
