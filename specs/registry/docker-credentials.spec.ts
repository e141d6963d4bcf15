/**
 * Registry credentials the docker way, against a real docker-registry with htpasswd auth on
 * 127.0.0.1. What docker does, from docker/cli: cli/command/registry/login.go (the -p warning,
 * "--password and --password-stdin are mutually exclusive", "Must provide --username with
 * --password-stdin", "Cannot perform an interactive login from a non TTY device", the
 * "Username: " / "Password: " prompts, "Login Succeeded"), logout.go ("Removing login
 * credentials for HOST", always), cli/config/credentials (auths as base64 "user:pass" in
 * $DOCKER_CONFIG/config.json, mode 0600; credsStore / credHelpers through docker-credential-<name>
 * get/store/erase, an empty auths entry kept for a helper's registry).
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, storeWithBusybox, strata, strataAsync, tempDir } from "../helpers/strata.ts";
import { startRegistry, type TestRegistry } from "./helpers.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

/** A credential helper of our own: one file per server in $CRED_DIR, every call logged. */
const HELPER = `#!/bin/sh
dir="$CRED_DIR"
IFS= read -r line || true
echo "$1 $line" >> "$dir/log"
key=$(printf '%s' "$line" | sed -n 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/p')
[ -n "$key" ] || key="$line"
f="$dir/$(printf '%s' "$key" | tr '/:' '__')"
case "$1" in
  get) if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  store) printf '%s' "$line" > "$f" ;;
  erase) rm -f "$f" ;;
esac
`;

describe("registry credentials in docker's config.json", () => {
  let root: string;
  let cleanup: () => void;
  let reg: TestRegistry;
  let work: string;
  beforeAll(async () => {
    ({ root, cleanup } = storeWithBusybox("dockercreds"));
    reg = await startRegistry({ htpasswd: { user: "alice", password: "s3cret" } });
    work = tempDir("dockercreds-work");
    strata(root, ["tag", "busybox:latest", `${reg.host}/private:1`]);
  });
  afterAll(async () => {
    await reg.stop();
    cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  const fresh = (name: string) => {
    const home = join(work, name);
    mkdirSync(home, { recursive: true });
    return home;
  };

  it("login --password-stdin writes auths into ~/.docker/config.json (0600), keeping other keys; pull uses it; logout removes it", async () => {
    const home = fresh("plain");
    mkdirSync(join(home, ".docker"));
    writeFileSync(join(home, ".docker/config.json"), JSON.stringify({ auths: { "other.example:5000": { auth: b64("bob:x") } }, detachKeys: "ctrl-e,e" }));
    const env = { HOME: home };
    const wrong = await strataAsync(root, ["login", "-u", "alice", "--password-stdin", reg.host], { env, input: "nope\n" });
    expect(wrong.code).toBe(1);
    const ok = await strataAsync(root, ["login", "-u", "alice", "--password-stdin", reg.host], { env, input: "s3cret\n" });
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toBe("Login Succeeded\n");
    const path = join(home, ".docker/config.json");
    const config = JSON.parse(readFileSync(path, "utf8"));
    expect(Buffer.from(config.auths[reg.host].auth, "base64").toString()).toBe("alice:s3cret");
    expect(config.auths["other.example:5000"].auth).toBe(b64("bob:x"));
    expect(config.detachKeys).toBe("ctrl-e,e");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(existsSync(join(home, ".config/strata/auth.json"))).toBe(false);
    expect(strata(root, ["push", `${reg.host}/private:1`], { env }).code).toBe(0);
    // No -u/-p: the stored login is tried first (docker's loginWithStoredCredentials).
    const again = strata(root, ["login", reg.host], { env });
    expect(again).toMatchObject({ code: 0, stderr: "" });
    expect(again.stdout).toBe("Authenticating with existing credentials... [Username: alice]\nTo login with a different account, run 'strata logout' followed by 'strata login'\n\nLogin Succeeded\n");
    const out = strata(root, ["logout", reg.host], { env });
    expect(out).toMatchObject({ code: 0, stdout: `Removing login credentials for ${reg.host}\n` });
    expect(JSON.parse(readFileSync(path, "utf8")).auths[reg.host]).toBeUndefined();
    const other = tempDir("dockercreds-pull");
    expect(strata(other, ["pull", `${reg.host}/private:1`], { env }).code).toBe(1);
    rmSync(other, { recursive: true, force: true });
  });

  it("honours $DOCKER_CONFIG, and -p works with docker's warning on stderr", () => {
    const home = fresh("dockerconfig");
    const dir = join(home, "elsewhere");
    const r = strata(root, ["login", "-u", "alice", "-p", "s3cret", `http://${reg.host}`], { env: { HOME: home, DOCKER_CONFIG: dir } });
    expect(r.stdout).toBe("Login Succeeded\n");
    expect(r.stderr).toBe("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
    expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).auths[reg.host].auth).toBe(b64("alice:s3cret"));
    expect(existsSync(join(home, ".docker"))).toBe(false);
  });

  it("refuses what docker refuses; a stale stored login is reported, then asked for", async () => {
    const env = { HOME: fresh("refusals") };
    const both = await strataAsync(root, ["login", "-u", "alice", "-p", "s3cret", "--password-stdin", reg.host], { env, input: "s3cret" });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--password and --password-stdin are mutually exclusive/);
    const noUser = await strataAsync(root, ["login", "--password-stdin", reg.host], { env, input: "s3cret" });
    expect(noUser.stderr).toMatch(/Must provide --username with --password-stdin/);
    const noTty = strata(root, ["login", reg.host], { env });
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toMatch(/Cannot perform an interactive login from a non TTY device/);
    mkdirSync(join(env.HOME, ".docker"));
    writeFileSync(join(env.HOME, ".docker/config.json"), JSON.stringify({ auths: { [reg.host]: { auth: b64("alice:stale") } } }));
    const stale = strata(root, ["login", reg.host], { env });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^Stored credentials invalid or expired\nstrata: error\[CREDENTIALS_MISSING\]: Cannot perform an interactive login from a non TTY device\n$/);
  });

  /** `strata login HOST` on a pseudo-terminal (script(1)), answering each prompt as it appears. */
  async function loginOnTty(home: string, answers: [string, string][]): Promise<{ code: number | null; out: string }> {
    const cmd = `${process.execPath} ${join(repoRoot, "bin/strata.js")} --root ${root} login ${reg.host}`;
    const child = spawn("script", ["-qec", cmd, "/dev/null"], { env: { ...process.env, HOME: home }, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let next = 0;
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      const a = answers[next];
      if (a && out.includes(a[0])) {
        next++;
        child.stdin.write(`${a[1]}\r`);
      }
    });
    const code = await new Promise<number | null>((r) => child.on("close", r));
    return { code, out };
  }

  it("asks for the username and password on a terminal, the password unechoed", async () => {
    const home = fresh("tty");
    const { code, out } = await loginOnTty(home, [
      ["Username: ", "alice"],
      ["Password: ", "s3cret"],
    ]);
    expect(out).toMatch(/Username: alice\s*\r?\nPassword: \s*\r?\nLogin Succeeded/);
    expect(out).not.toContain("s3cret");
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(join(home, ".docker/config.json"), "utf8")).auths[reg.host].auth).toBe(b64("alice:s3cret"));
  });

  it("on a terminal, a stale stored login is reported and its user offered as the default", async () => {
    const home = fresh("tty-stale");
    mkdirSync(join(home, ".docker"));
    writeFileSync(join(home, ".docker/config.json"), JSON.stringify({ auths: { [reg.host]: { auth: b64("alice:stale") } } }));
    const { code, out } = await loginOnTty(home, [
      ["Username (alice): ", ""],
      // A mistyped character erased with the terminal's DEL.
      ["Password: ", "s3crx\u007fet"],
    ]);
    expect(out).toMatch(/Stored credentials invalid or expired\r?\nUsername \(alice\): \s*\r?\nPassword: \s*\r?\nLogin Succeeded/);
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(join(home, ".docker/config.json"), "utf8")).auths[reg.host].auth).toBe(b64("alice:s3cret"));
  });

  it("credsStore and credHelpers run docker-credential-<name> get/store/erase", () => {
    const home = fresh("helpers");
    const bin = join(home, "bin");
    const store = join(home, "creds");
    mkdirSync(bin);
    mkdirSync(store);
    for (const name of ["strtest", "other"]) {
      writeFileSync(join(bin, `docker-credential-${name}`), HELPER);
      chmodSync(join(bin, `docker-credential-${name}`), 0o755);
    }
    mkdirSync(join(home, ".docker"));
    // credHelpers wins over credsStore for its registry (docker's GetCredentialsStore).
    writeFileSync(join(home, ".docker/config.json"), JSON.stringify({ credsStore: "other", credHelpers: { [reg.host]: "strtest" } }));
    const env = { HOME: home, PATH: `${bin}:${process.env.PATH}`, CRED_DIR: store };
    expect(strata(root, ["login", "-u", "alice", "-p", "s3cret", reg.host], { env }).stdout).toBe("Login Succeeded\n");
    const config = JSON.parse(readFileSync(join(home, ".docker/config.json"), "utf8"));
    expect(config.auths).toEqual({ [reg.host]: {} });
    expect(JSON.parse(readFileSync(join(store, reg.host.replace(":", "_")), "utf8"))).toEqual({ ServerURL: reg.host, Username: "alice", Secret: "s3cret" });
    const other = tempDir("dockercreds-helper-pull");
    const pulled = strata(other, ["pull", `${reg.host}/private:1`], { env });
    expect(pulled.code, pulled.stderr).toBe(0);
    rmSync(other, { recursive: true, force: true });
    expect(strata(root, ["logout", reg.host], { env }).stdout).toBe(`Removing login credentials for ${reg.host}\n`);
    expect(existsSync(join(store, reg.host.replace(":", "_")))).toBe(false);
    const log = readFileSync(join(store, "log"), "utf8");
    expect(log).toMatch(new RegExp(`^store \\{"ServerURL":"${reg.host}"`, "m"));
    expect(log).toMatch(new RegExp(`^get ${reg.host}$`, "m"));
    expect(log).toMatch(new RegExp(`^erase ${reg.host}$`, "m"));
    const missing = strata(root, ["pull", `${reg.host}/private:1`], { env: { ...env, PATH: "/usr/bin:/bin" } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/docker-credential-strtest is not on the PATH/);
  });

  it("still reads an older Strata's ~/.config/strata/auth.json, and never writes it", () => {
    const home = fresh("legacy");
    mkdirSync(join(home, ".config/strata"), { recursive: true });
    const legacy = join(home, ".config/strata/auth.json");
    const text = JSON.stringify({ auths: { [reg.host]: { auth: b64("alice:s3cret") } } });
    writeFileSync(legacy, text);
    const other = tempDir("dockercreds-legacy-pull");
    expect(strata(other, ["pull", `${reg.host}/private:1`], { env: { HOME: home } }).code).toBe(0);
    rmSync(other, { recursive: true, force: true });
    const out = strata(root, ["logout", reg.host], { env: { HOME: home } });
    expect(out.stdout).toBe(`Removing login credentials for ${reg.host}\n`);
    expect(out.stderr).toMatch(/auth\.json .*still holds a login/);
    expect(readFileSync(legacy, "utf8")).toBe(text);
  });
});
