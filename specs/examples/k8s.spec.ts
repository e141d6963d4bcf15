/**
 * examples/k8s/ is a fleet of rootless Strata builders: an Indexed Job, its ConfigMap (registry,
 * cache ref, build list) and its Secret (docker credentials). Debian's kubectl takes all three
 * (`kubectl create --dry-run=client -o yaml -f examples/k8s/`, specs/examples/kubectl.ts), and
 * the objects it would create hold what a fleet needs: each pod rootless as
 * examples/kubernetes/'s (hostUsers: false, …), the Secret mounted where DOCKER_CONFIG points, the
 * ConfigMap's keys where the pod reads them, and `--push` with the shared registry cache
 * (`--cache-to type=registry,ref=…,mode=max`, `--cache-from` the same ref) in the command.
 *
 * Then the Job's own script runs, with `strata` on its PATH being this checkout's CLI: against a
 * registry on 127.0.0.1 and a build list naming a local context, index 0 builds, pushes and
 * exports the cache; a second, fresh store (another pod) builds the same line with every step
 * from that cache; an index past the list's end is one line and exit 2.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { repoRoot, storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { startRegistry, type TestRegistry } from "../registry/helpers.ts";
import { dryRun, kubectl, kubectlHome, kubectlMissing } from "./kubectl.ts";

/** The volumes the spec looks for (the rest of the objects is parsed YAML, asserted field by field). */
type Volume = { name: string; emptyDir?: object; secret?: { secretName: string; items?: unknown[] }; configMap?: { name: string } };
const home = kubectlHome();
if (kubectl === undefined && !process.env.CI) process.stderr.write(`notice: no Debian kubectl (scripts/debian-kubectl.sh: ${kubectlMissing}): skipping the fleet manifests' check\n`);

/** The three objects as kubectl would create them. */
function objects() {
  const r = dryRun(home, join(repoRoot, "examples/k8s/"));
  expect(r.status, r.stderr).toBe(0);
  return parseAllDocuments(r.stdout).map((d) => d.toJSON());
}

describe("examples/k8s: a fleet of rootless builders sharing a registry cache", () => {
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const byKind = (objs: ReturnType<typeof objects>, kind: string) => objs.find((o) => o.kind === kind);

  it.runIf(kubectl !== undefined || Boolean(process.env.CI))("kubectl takes the Job, ConfigMap and Secret, and they fit together", () => {
    expect(kubectl, `scripts/debian-kubectl.sh found no kubectl: ${kubectlMissing}`).toBeDefined();
    const objs = objects();
    expect(objs.map((o) => o.kind).sort()).toEqual(["ConfigMap", "Job", "Secret"]);
    const [job, cm, secret] = [byKind(objs, "Job"), byKind(objs, "ConfigMap"), byKind(objs, "Secret")];

    // Several builders at once, one build-list line each.
    expect(job.spec.completionMode).toBe("Indexed");
    expect(job.spec.parallelism).toBeGreaterThan(1);
    expect(job.spec.completions).toBe(cm.data.builds.trim().split("\n").length);

    // Rootless, as examples/kubernetes/ (docs/rootless.md).
    const pod = job.spec.template.spec;
    expect(pod.hostUsers).toBe(false);
    expect(pod.restartPolicy).toBe("Never");
    const c = pod.containers[0];
    expect(c.securityContext).toMatchObject({ runAsUser: 0, capabilities: { add: ["SYS_ADMIN"] }, seccompProfile: { type: "Unconfined" }, appArmorProfile: { type: "Unconfined" } });
    expect(c.securityContext.privileged).toBeUndefined();
    expect(c.securityContext.procMount).toBeUndefined();
    const mount = (vol: (v: Volume) => boolean) => {
      const v = pod.volumes.find(vol);
      expect(v).toBeDefined();
      return c.volumeMounts.find((m: { name: string }) => m.name === v.name).mountPath as string;
    };
    expect(mount((v) => v.emptyDir !== undefined)).toBe("/var/lib/strata");

    // The Secret, docker's config.json, where DOCKER_CONFIG says.
    expect(secret.type).toBe("kubernetes.io/dockerconfigjson");
    const auths = JSON.parse(secret.stringData?.[".dockerconfigjson"] ?? Buffer.from(secret.data[".dockerconfigjson"], "base64").toString()).auths;
    expect(Object.keys(auths).length).toBeGreaterThan(0);
    const authDir = mount((v) => v.secret?.secretName === secret.metadata.name);
    const authVol = pod.volumes.find((v: Volume) => v.secret?.secretName === secret.metadata.name);
    expect(authVol.secret.items).toEqual([{ key: ".dockerconfigjson", path: "config.json" }]);
    const env = Object.fromEntries(c.env.map((e: { name: string }) => [e.name, e]));
    expect(env.DOCKER_CONFIG.value).toBe(authDir);

    // The ConfigMap's keys, as the script reads them.
    for (const name of ["REGISTRY", "CACHE_REF"]) expect(env[name].valueFrom.configMapKeyRef).toEqual({ name: cm.metadata.name, key: name });
    const listDir = mount((v) => v.configMap?.name === cm.metadata.name);
    const script = c.args[0] as string;
    expect(c.command).toEqual(["/bin/sh", "-ec"]);
    expect(script).toContain(`${listDir}/builds`);

    // One cache ref for all: exported with every stage's steps, imported from; the image pushed.
    expect(script).toMatch(/strata build .*--push/);
    expect(script).toContain('--cache-to "type=registry,ref=$CACHE_REF,mode=max"');
    expect(script).toContain('--cache-from "type=registry,ref=$CACHE_REF"');
    expect(cm.data.CACHE_REF.startsWith(cm.data.REGISTRY.split("/")[0])).toBe(true);
  });

  describe("the Job's script, with this checkout's strata", () => {
    let reg: TestRegistry;
    let store: { root: string; cleanup: () => void };
    let dir: string;
    let script: string;
    beforeAll(async () => {
      reg = await startRegistry();
      store = storeWithBusybox("k8s");
      dir = tempDir("k8s");
      const base = `${reg.host}/k8s-spec/busybox:latest`;
      expect(strata(store.root, ["tag", "busybox:latest", base]).code).toBe(0);
      expect(strata(store.root, ["push", "-q", base]).code).toBe(0);
      const ctx = join(dir, "ctx");
      mkdirSync(ctx);
      writeFileSync(join(ctx, "Dockerfile"), `FROM ${base} AS tools\nRUN echo tools > /tools\nFROM ${base}\nCOPY --from=tools /tools /tools\nRUN echo app > /app\n`);
      mkdirSync(join(dir, "list"));
      writeFileSync(join(dir, "list/builds"), `demo ${ctx}\n`);
      // `strata` as the image has it, this checkout's CLI; the store from STRATA_ROOT as there.
      mkdirSync(join(dir, "bin"));
      writeFileSync(join(dir, "bin/strata"), `#!/bin/sh\nexec "${process.execPath}" -- "${join(repoRoot, "bin/strata.js")}" "$@"\n`, { mode: 0o755 });
      const job = parseAllDocuments(readFileSync(join(repoRoot, "examples/k8s/job.yaml"), "utf8"))[0]?.toJSON();
      script = (job.spec.template.spec.containers[0].args[0] as string).replaceAll("/etc/strata-fleet/list", join(dir, "list"));
    });
    afterAll(async () => {
      await reg.stop();
      store.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });
    const run = (index: number, root: string) =>
      spawnSync("/bin/sh", ["-ec", script], {
        encoding: "utf8",
        env: { PATH: `${join(dir, "bin")}:${process.env.PATH}`, HOME: dir, STRATA_ROOT: root, JOB_COMPLETION_INDEX: String(index), REGISTRY: `${reg.host}/k8s-spec`, CACHE_REF: `${reg.host}/k8s-spec/cache:fleet`, SOURCE_DATE_EPOCH: "1700000000" },
      });

    it("index 0 builds its line, pushes it and exports the cache; a fresh store then runs no step", async () => {
      const first = run(0, join(dir, "pod-a"));
      expect(first.status, first.stderr).toBe(0);
      expect(first.stderr).toMatch(/cache exported to .*k8s-spec\/cache:fleet/);
      const pushed = await fetch(`http://${reg.host}/v2/k8s-spec/demo/manifests/latest`, { headers: { accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json" } });
      expect(pushed.status).toBe(200);

      const second = run(0, join(dir, "pod-b"));
      expect(second.status, second.stderr).toBe(0);
      expect(second.stderr).toMatch(/0 steps run, \d+ cached/);
    });

    it("an index past the build list's end is one line, exit 2", () => {
      const r = run(1, join(dir, "pod-c"));
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toBe("strata-fleet: the build list has no line 2 (completions is more than its lines)");
    });
  });
});
