/**
 * The one-line refusals of a sandbox that withholds what Strata needs (ENV_SANDBOX; docs/rootless.md):
 * what /proc/self says confines a process (fs/confinement.ts), read here from directories laid out
 * as /proc/self is, and runc's own words when a profile refused its namespaces or a masked /proc
 * refused a fresh one (runc/namespace-refusal.ts), as runc 1.1 prints them. The refusals in a real
 * rootless podman container are in specs/rootless/podman.spec.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { confinements, holdsSysAdmin, sandboxHint } from "../../runtime/fs/confinement.ts";
import { namespaceRefusal } from "../../runtime/runc/namespace-refusal.ts";

const dir = mkdtempSync(join(tmpdir(), "strata-confinement-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A directory shaped like /proc/self with the given status and LSM attribute files. */
function procSelf(name: string, status: string, attrs: Record<string, string> = {}): string {
  const d = join(dir, name);
  mkdirSync(join(d, "attr/apparmor"), { recursive: true });
  writeFileSync(join(d, "status"), status);
  for (const [rel, text] of Object.entries(attrs)) writeFileSync(join(d, "attr", rel), text);
  return d;
}

describe("sandbox refusals", () => {
  it("reads CAP_SYS_ADMIN from CapEff", () => {
    expect(holdsSysAdmin("CapEff:\t00000000a80425fb\n")).toBe(false); // podman's default set
    expect(holdsSysAdmin("CapEff:\t00000000a82425fb\n")).toBe(true); // with --cap-add SYS_ADMIN
  });

  it("names a seccomp filter and an AppArmor profile, not an unconfined process", () => {
    expect(confinements(procSelf("none", "Seccomp:\t0\n", { "apparmor/current": "unconfined\n" }))).toEqual([]);
    const found = confinements(procSelf("both", "Seccomp:\t2\n", { "apparmor/current": "containers-default-0.50.1 (enforce)\n" }));
    expect(found.map((c) => c.podman)).toEqual(["--security-opt seccomp=unconfined", "--security-opt apparmor=unconfined"]);
    expect(found[1]?.what).toBe("AppArmor profile containers-default-0.50.1 (enforce)");
    const selinux = procSelf("selinux", "Seccomp:\t0\n", { current: "system_u:system_r:container_t:s0:c1,c2\0" });
    rmSync(join(selinux, "attr/apparmor"), { recursive: true });
    expect(confinements(selinux).map((c) => c.podman)).toEqual(["--security-opt label=disable"]);
  });

  it("says what to give the container", () => {
    expect(sandboxHint([], false, 0)).toMatch(/lacks CAP_SYS_ADMIN.*--cap-add SYS_ADMIN/);
    expect(sandboxHint([], false, 1000)).toMatch(/uid 1000.*run strata as the container's root/);
    expect(sandboxHint([], true, 0)).toBeUndefined();
    expect(sandboxHint(confinements(procSelf("seccomp", "Seccomp:\t2\n")), true, 0)).toMatch(/runs under a seccomp filter.*--security-opt seccomp=unconfined \(Kubernetes: seccompProfile: \{type: Unconfined\}/);
  });

  it("turns runc's refusals into one line and leaves other failures alone", () => {
    const unshare = 'time="2026-12-03T08:50:05Z" level=fatal msg="nsexec-1[54]: failed to unshare remaining namespaces (except cgroupns): Operation not permitted"\n';
    const proc = 'time="2026-12-03T08:50:05Z" level=error msg="runc run failed: unable to start container process: error during container init: error mounting \\"proc\\" to rootfs at \\"/proc\\": mount proc:/proc (via /proc/self/fd/7), flags: 0xe: operation not permitted"\n';
    const refused = namespaceRefusal(proc);
    expect(refused?.code).toBe("ENV_SANDBOX");
    expect(refused?.message).toMatch(/unmask=ALL/);
    expect(namespaceRefusal("sh: nosuchcommand: not found\n")).toBeUndefined();
    // Whether the unshare refusal is named depends on this process's confinement; named, it is one line.
    const named = namespaceRefusal(unshare);
    if (named !== undefined) expect(named.message).not.toContain("\n");
  });
});
