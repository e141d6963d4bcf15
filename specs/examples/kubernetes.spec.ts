/**
 * examples/kubernetes/strata-job.yaml is a Job that Debian's kubectl (kubernetes-client, found or
 * unpacked by scripts/debian-kubectl.sh) takes: `kubectl create --dry-run=client -o yaml -f` it,
 * and the object it would create carries every setting docs/rootless.md says a pod needs (the
 * ones the podman spec, specs/rootless/podman.spec.ts, passes as options).
 *
 * kubectl runs without a cluster, its discovery cache seeded (specs/examples/kubectl.ts).
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../helpers/strata.ts";
import { dryRun, kubectl, kubectlHome, kubectlMissing } from "./kubectl.ts";

const home = kubectlHome();
if (kubectl === undefined && !process.env.CI) process.stderr.write(`notice: no Debian kubectl (scripts/debian-kubectl.sh: ${kubectlMissing}): skipping the Job manifest's check\n`);

describe("examples/kubernetes: the rootless Job", () => {
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it.runIf(kubectl !== undefined || Boolean(process.env.CI))("kubectl create --dry-run=client -o yaml takes it, with the settings a rootless pod needs", () => {
    expect(kubectl, `scripts/debian-kubectl.sh found no kubectl: ${kubectlMissing}`).toBeDefined();
    const r = dryRun(home, join(repoRoot, "examples/kubernetes/strata-job.yaml"));
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
    const bad = join(home, "bad.yaml");
    writeFileSync(bad, "apiVersion: batch/v1\nkind: Jobb\nmetadata: {name: x}\n");
    const r = dryRun(home, bad);
    expect(r.status).not.toBe(0);
  });
});
