/**
 * examples/kubernetes/strata-job.yaml is a Job that Debian's kubectl (kubernetes-client, found or
 * unpacked by scripts/debian-kubectl.sh) takes: `kubectl create --dry-run=client -o yaml -f` it,
 * and the object it would create carries every setting docs/rootless.md says a pod needs (the
 * ones the podman spec, specs/rootless/podman.spec.ts, passes as options).
 *
 * A client dry run still asks the cluster which kinds exist (API discovery) before it reads the
 * file. There is no cluster here, so kubectl's own discovery cache ($HOME/.kube/cache/discovery)
 * is seeded with what an API server lists for the two groups the file uses; kubectl then decodes
 * and prints the Job itself, reaching no server (its default one, localhost:8080, is not
 * listening).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../helpers/strata.ts";

const found = spawnSync("bash", [join(repoRoot, "scripts/debian-kubectl.sh")], { encoding: "utf8" });
const kubectl = found.status === 0 ? found.stdout.trim() : undefined;
const home = mkdtempSync(join(tmpdir(), "strata-kubectl-"));
if (kubectl === undefined && !process.env.CI) process.stderr.write(`notice: no Debian kubectl (scripts/debian-kubectl.sh: ${found.stderr.trim().split("\n").at(-1)}): skipping the Job manifest's check\n`);

/** What an API server's discovery lists for the core group and batch/v1, as kubectl caches it. */
function seedDiscovery(): void {
  const dir = join(home, ".kube/cache/discovery/localhost_8080");
  const groups = {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: [
      { name: "", versions: [{ groupVersion: "v1", version: "v1" }], preferredVersion: { groupVersion: "v1", version: "v1" } },
      { name: "batch", versions: [{ groupVersion: "batch/v1", version: "v1" }], preferredVersion: { groupVersion: "batch/v1", version: "v1" } },
    ],
  };
  const files: Record<string, unknown> = {
    "servergroups.json": groups,
    "v1/serverresources.json": { kind: "APIResourceList", groupVersion: "v1", resources: [] },
    "batch/v1/serverresources.json": { kind: "APIResourceList", groupVersion: "batch/v1", resources: [{ name: "jobs", singularName: "", namespaced: true, kind: "Job", verbs: ["create", "get", "list"] }] },
  };
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), JSON.stringify(body));
  }
}

describe("examples/kubernetes: the rootless Job", () => {
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it.runIf(kubectl !== undefined || Boolean(process.env.CI))("kubectl create --dry-run=client -o yaml takes it, with the settings a rootless pod needs", () => {
    expect(kubectl, `scripts/debian-kubectl.sh found no kubectl: ${found.stderr}`).toBeDefined();
    seedDiscovery();
    const r = spawnSync(kubectl as string, ["create", "--dry-run=client", "--validate=false", "-o", "yaml", "-f", join(repoRoot, "examples/kubernetes/strata-job.yaml")], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: home } });
    expect(r.status, r.stderr).toBe(0);
    const job = parse(r.stdout);
    expect(job.kind).toBe("Job");
    const pod = job.spec.template.spec;
    expect(pod.hostUsers).toBe(false);
    expect(pod.restartPolicy).toBe("Never");
    const c = pod.containers[0];
    expect(c.securityContext).toMatchObject({ runAsUser: 0, capabilities: { add: ["SYS_ADMIN"] }, seccompProfile: { type: "Unconfined" }, appArmorProfile: { type: "Unconfined" } });
    // Not needed as the pod's root (docs/rootless.md), and more of /proc than a build needs.
    expect(c.securityContext.procMount).toBeUndefined();
    expect(c.securityContext.privileged).toBeUndefined();
    const store = c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === "/var/lib/strata");
    expect(pod.volumes.find((v: { name: string }) => v.name === store.name).emptyDir).toEqual({});
    expect(c.args[0]).toBe("build");
  });

  it("a file kubectl cannot take is refused (the check can fail)", () => {
    if (kubectl === undefined) return;
    seedDiscovery();
    const bad = join(home, "bad.yaml");
    writeFileSync(bad, "apiVersion: batch/v1\nkind: Jobb\nmetadata: {name: x}\n");
    const r = spawnSync(kubectl, ["create", "--dry-run=client", "--validate=false", "-o", "yaml", "-f", bad], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: home } });
    expect(r.status).not.toBe(0);
  });
});
