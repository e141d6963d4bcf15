/**
 * Rootless mode's refusals (issue 20, item 5): user namespaces disabled, newuidmap missing, no
 * subordinate id range, each one line naming the fix with exit 2. The host's files are the
 * refusal's parameters (rootless/refusals.ts), so each gap is checked against a made-up /proc/sys,
 * /etc/subuid and PATH; and end to end, a real user with no range (scripts/rootless-user.sh makes
 * strata-nosubid) is refused a build, while commands that need no namespace still work for it.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { StrataError } from "../../runtime/errors/error.ts";
import { type HostFiles, mappingFor } from "../../runtime/rootless/refusals.ts";
import { asUser, describeRootless, NO_SUBID_USER, userIds } from "../helpers/rootless.ts";

const user = { name: "builder", uid: 4242, gid: 4242 };
const dir = mkdtempSync(join(tmpdir(), "strata-rootless-refusals-"));

/** A host with everything rootless mode needs, but for what `change` takes away. */
function host(change: (files: HostFiles) => void = () => undefined): HostFiles {
  const at = mkdtempSync(join(dir, "host-"));
  const files: HostFiles = { procSys: join(at, "sys"), subuid: join(at, "subuid"), subgid: join(at, "subgid"), path: join(at, "bin") };
  mkdirSync(join(files.procSys, "user"), { recursive: true });
  mkdirSync(join(files.procSys, "kernel"), { recursive: true });
  writeFileSync(join(files.procSys, "user/max_user_namespaces"), "15000\n");
  mkdirSync(files.path);
  for (const b of ["newuidmap", "newgidmap"]) symlinkSync("/bin/true", join(files.path, b));
  writeFileSync(files.subuid, "other:100000:65536\nbuilder:165536:65536\n");
  writeFileSync(files.subgid, "4242:165536:65536\n");
  change(files);
  return files;
}

function refusal(files: HostFiles): string {
  try {
    mappingFor(user, files);
  } catch (e) {
    expect(e).toBeInstanceOf(StrataError);
    expect((e as StrataError).code).toBe("ENV_ROOTLESS");
    expect((e as Error).message).not.toContain("\n");
    return (e as Error).message;
  }
  throw new Error("not refused");
}

describe("rootless refusals, one line each naming the fix", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("maps the user by name or by uid when everything is there", () => {
    const m = mappingFor(user, host());
    expect(m.uids).toEqual({ start: 165536, count: 65536 });
    expect(m.gids).toEqual({ start: 165536, count: 65536 });
  });

  it("user namespaces disabled", () => {
    expect(refusal(host((f) => writeFileSync(join(f.procSys, "user/max_user_namespaces"), "0\n")))).toContain("sysctl -w user.max_user_namespaces=15000");
    expect(refusal(host((f) => writeFileSync(join(f.procSys, "kernel/unprivileged_userns_clone"), "0\n")))).toContain("sysctl -w kernel.unprivileged_userns_clone=1");
    expect(refusal(host((f) => writeFileSync(join(f.procSys, "kernel/apparmor_restrict_unprivileged_userns"), "1\n")))).toContain("kernel.apparmor_restrict_unprivileged_userns=0");
  });

  it("newuidmap or newgidmap missing", () => {
    expect(refusal(host((f) => rmSync(join(f.path, "newuidmap"))))).toBe("rootless mode needs newuidmap to map the user namespace, and it is not installed: apt-get install uidmap (as root)");
    expect(refusal(host((f) => rmSync(join(f.path, "newgidmap"))))).toContain("needs newgidmap");
  });

  it("no subordinate range, or one too small for image ids", () => {
    expect(refusal(host((f) => writeFileSync(f.subuid, "other:100000:65536\n")))).toMatch(/^user builder has no subordinate uid range in .*subuid.*: usermod --add-subuids 100000-165535 builder/);
    expect(refusal(host((f) => writeFileSync(f.subgid, "")))).toContain("no subordinate gid range");
    expect(refusal(host((f) => writeFileSync(f.subuid, "builder:165536:1000\n")))).toContain("smaller than the 65536 ids images use");
  });
});

describeRootless("rootless refusals end to end", () => {
  it("a user with no subordinate range: build is refused with exit 2, images still lists", async () => {
    expect(userIds(NO_SUBID_USER), `scripts/rootless-user.sh makes ${NO_SUBID_USER}`).toBeDefined();
    const build = await asUser(["build", "-q", "examples/hello"], { user: NO_SUBID_USER });
    expect(build.code).toBe(2);
    expect(build.stderr.trim().split("\n")).toHaveLength(1);
    expect(build.stderr).toMatch(/^strata: error\[ENV_ROOTLESS\]: user strata-nosubid has no subordinate uid range in \/etc\/subuid.*usermod --add-subuids/);
    const images = await asUser(["images"], { user: NO_SUBID_USER });
    expect(images.code, images.stderr).toBe(0);
  });
});
