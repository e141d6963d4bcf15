import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CAPS } from "../../runtime/runc/capabilities.ts";
import { FALLBACK_PROFILE } from "../../runtime/runc/seccomp-fallback.ts";
import { DEFAULT_PROFILE_PATHS, parseProfile, toOciSeccomp } from "../../runtime/runc/seccomp.ts";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { mountsUnder, removeAllContainers } from "./helpers.ts";

/**
 * The default seccomp profile (containers-common's seccomp.json, as podman
 * applies it) on containers and on build RUN steps, and the ways out:
 * `run --security-opt seccomp=unconfined`, `--privileged`, a profile of one's
 * own, `build --security-opt seccomp=unconfined`, RUN --security=insecure.
 *
 * The denied syscall: sethostname in a UTS namespace of the container's own
 * (busybox `unshare -U -r -u hostname x`). The kernel allows it there (the new
 * user namespace owns the new UTS namespace), so only seccomp refuses it: the
 * profile allows sethostname only to a container with CAP_SYS_ADMIN, which a
 * container does not have. (containers-common's profile allows unshare itself;
 * docker's own profile already refuses the unshare.)
 */
const DENIED = ["sh", "-c", "unshare -U -r -u hostname strata-test && echo changed"];

describe("seccomp", () => {
  let root: string;
  let cleanup: () => void;
  const temps: string[] = [];

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("seccomp"));
  });

  afterAll(() => {
    removeAllContainers(root);
    expect(mountsUnder(root)).toEqual([]);
    cleanup();
    for (const t of temps) rmSync(t, { recursive: true, force: true });
  });

  it("the default profile is installed (podman's dependency) and is the one applied", () => {
    expect(DEFAULT_PROFILE_PATHS.some((p) => existsSync(p))).toBe(true);
    const r = strata(root, ["run", "--rm", "busybox", "grep", "^Seccomp:", "/proc/self/status"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Seccomp:\s+2$/m);
  });

  it("a container cannot make a syscall the default profile denies; with seccomp=unconfined it can", () => {
    const denied = strata(root, ["run", "--rm", "busybox", ...DENIED]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("sethostname: Operation not permitted");
    expect(denied.stdout).not.toContain("changed");

    const open = strata(root, ["run", "--rm", "--security-opt", "seccomp=unconfined", "busybox", ...DENIED]);
    expect(open.code, open.stderr).toBe(0);
    expect(open.stdout).toBe("changed\n");
    const status = strata(root, ["run", "--rm", "--security-opt", "seccomp:unconfined", "busybox", "grep", "^Seccomp:", "/proc/self/status"]);
    expect(status.stdout).toMatch(/^Seccomp:\s+0$/m);
  });

  it("a profile's capability rules follow --cap-add: with CAP_SYS_ADMIN the syscall is allowed", () => {
    const r = strata(root, ["run", "--rm", "--cap-add", "SYS_ADMIN", "busybox", ...DENIED]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("changed\n");
  });

  it("--privileged has no seccomp filter", () => {
    const r = strata(root, ["run", "--rm", "--privileged", "busybox", "grep", "^Seccomp:", "/proc/self/status"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Seccomp:\s+0$/m);
  });

  it("--security-opt seccomp=FILE applies a profile of one's own; a bad file is a clear error (exit 125)", () => {
    const dir = tempDir("seccomp-profile");
    temps.push(dir);
    // Everything allowed but mkdir(at): the command's own mkdir fails with EPERM.
    const profile = join(dir, "no-mkdir.json");
    writeFileSync(profile, JSON.stringify({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1 }] }));
    const r = strata(root, ["run", "--rm", "--security-opt", `seccomp=${profile}`, "busybox", "mkdir", "/tmp/x"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Operation not permitted");
    const ok = strata(root, ["run", "--rm", "--security-opt", `seccomp=${profile}`, "busybox", "touch", "/tmp/x"]);
    expect(ok.code, ok.stderr).toBe(0);

    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ not json");
    const e = strata(root, ["run", "--rm", "--security-opt", `seccomp=${bad}`, "busybox", "true"]);
    expect(e.code).toBe(125);
    expect(e.stderr).toMatch(new RegExp(`^strata: error\\[SECCOMP_PROFILE\\]: decoding seccomp profile \\(${bad}\\) failed: .+\\n$`));
    const missing = strata(root, ["run", "--rm", "--security-opt", `seccomp=${join(dir, "nope.json")}`, "busybox", "true"]);
    expect(missing.code).toBe(125);
    expect(missing.stderr).toContain(`opening seccomp profile (${join(dir, "nope.json")}) failed`);
    const unknown = strata(root, ["run", "--rm", "--security-opt", "bogus", "busybox", "true"]);
    expect(unknown.code).toBe(125);
    expect(unknown.stderr).toBe('strata: error[USAGE]: invalid --security-opt 1: "bogus"\n');
  });

  it("build RUN steps run under the default profile; build --security-opt seccomp=unconfined lifts it", () => {
    const ctx = tempDir("seccomp-build");
    temps.push(ctx);
    writeFileSync(join(ctx, "Dockerfile"), `FROM busybox\nRUN unshare -U -r -u hostname strata-test && echo changed > /made\n`);
    const denied = strata(root, ["build", "--progress", "plain", "-t", "sc:1", ctx]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("sethostname: Operation not permitted");
    expect(denied.stderr).toMatch(/Dockerfile:2/);

    const open = strata(root, ["build", "--progress", "plain", "--security-opt", "seccomp=unconfined", "-t", "sc:1", ctx]);
    expect(open.code, open.stderr).toBe(0);
    expect(strata(root, ["run", "--rm", "sc:1", "cat", "/made"]).stdout).toBe("changed\n");
    const bad = strata(root, ["build", "--security-opt", "seccomp=/x.json", ctx]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid argument "seccomp=/x.json" for "--security-opt" flag');
  });

  it("RUN --security=insecure (with --allow security.insecure) runs unconfined", () => {
    const ctx = tempDir("seccomp-insecure");
    temps.push(ctx);
    writeFileSync(join(ctx, "Dockerfile"), `# syntax=docker/dockerfile:1\nFROM busybox\nRUN --security=insecure grep Seccomp: /proc/self/status > /status\n`);
    const b = strata(root, ["build", "--allow", "security.insecure", "-t", "sc:2", ctx]);
    expect(b.code, b.stderr).toBe(0);
    expect(strata(root, ["run", "--rm", "sc:2", "cat", "/status"]).stdout).toMatch(/^Seccomp:\s+0$/m);
  });
});

describe("seccomp profile conversion (moby's setupSeccomp rules)", () => {
  const installed = DEFAULT_PROFILE_PATHS.find((p) => existsSync(p));

  it("keeps a rule whose includes.caps the container has, and one whose excludes.caps it lacks", () => {
    if (installed === undefined) throw new Error("containers-common's seccomp.json is missing: install podman (scripts/test.sh does)");
    const profile = parseProfile(readFileSync(installed, "utf8"), installed);
    const names = (caps: readonly string[]) => toOciSeccomp(profile, caps, "x64").syscalls.filter((s) => s.action === "SCMP_ACT_ALLOW").flatMap((s) => s.names);
    expect(names(DEFAULT_CAPS)).not.toContain("sethostname");
    expect(names([...DEFAULT_CAPS, "CAP_SYS_ADMIN"])).toContain("sethostname");
    const oci = toOciSeccomp(profile, DEFAULT_CAPS, "x64");
    expect(oci.architectures).toEqual(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]);
    expect(oci.syscalls.flatMap((s) => s.names)).toContain("arch_prctl");
    expect(toOciSeccomp(profile, DEFAULT_CAPS, "arm64").syscalls.flatMap((s) => s.names)).not.toContain("arch_prctl");
  });

  it("the builtin fallback denies namespaces and keyrings unless CAP_SYS_ADMIN", () => {
    const denied = (caps: readonly string[]) => toOciSeccomp(FALLBACK_PROFILE, caps, "x64").syscalls.flatMap((s) => s.names);
    expect(denied(DEFAULT_CAPS)).toEqual(expect.arrayContaining(["unshare", "setns", "keyctl", "clone", "sethostname"]));
    expect(denied([...DEFAULT_CAPS, "CAP_SYS_ADMIN"])).not.toContain("unshare");
    expect(denied([...DEFAULT_CAPS, "CAP_SYS_ADMIN"])).toContain("keyctl");
    expect(() => parseProfile('{"syscalls": []}', "p.json")).toThrow("seccomp profile p.json has no defaultAction");
  });
});
