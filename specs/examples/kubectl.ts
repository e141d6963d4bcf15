/**
 * Debian's kubectl (kubernetes-client, found or unpacked by scripts/debian-kubectl.sh) for the specs
 * that check the example manifests: `kubectl create --dry-run=client -o yaml -f FILE` of them.
 *
 * A client dry run still asks the cluster which kinds exist (API discovery) before it reads the
 * file. There is no cluster here, so kubectl's own discovery cache ($HOME/.kube/cache/discovery)
 * is seeded with what an API server lists for the kinds the examples use (Job, ConfigMap, Secret);
 * kubectl then decodes and prints the objects itself, reaching no server (its default one,
 * localhost:8080, is not listening).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { repoRoot } from "../helpers/strata.ts";

const found = spawnSync("bash", [join(repoRoot, "scripts/debian-kubectl.sh")], { encoding: "utf8" });
/** The kubectl binary, or undefined when scripts/debian-kubectl.sh found none. */
export const kubectl = found.status === 0 ? found.stdout.trim() : undefined;
/** Why there is none (the script's last line). */
export const kubectlMissing = found.stderr.trim().split("\n").at(-1) ?? "";

/** A fresh HOME with kubectl's discovery cache seeded for the core group and batch/v1. */
export function kubectlHome(): string {
  const home = mkdtempSync(join(tmpdir(), "strata-kubectl-"));
  const dir = join(home, ".kube/cache/discovery/localhost_8080");
  const group = (name: string) => ({ name, versions: [{ groupVersion: name === "" ? "v1" : `${name}/v1`, version: "v1" }], preferredVersion: { groupVersion: name === "" ? "v1" : `${name}/v1`, version: "v1" } });
  const resource = (name: string, kind: string) => ({ name, singularName: "", namespaced: true, kind, verbs: ["create", "get", "list"] });
  const files: Record<string, unknown> = {
    "servergroups.json": { kind: "APIGroupList", apiVersion: "v1", groups: [group(""), group("batch")] },
    "v1/serverresources.json": { kind: "APIResourceList", groupVersion: "v1", resources: [resource("configmaps", "ConfigMap"), resource("secrets", "Secret")] },
    "batch/v1/serverresources.json": { kind: "APIResourceList", groupVersion: "batch/v1", resources: [resource("jobs", "Job")] },
  };
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), JSON.stringify(body));
  }
  return home;
}

/** `kubectl create --dry-run=client --validate=false -o yaml -f FILE` with `home` as HOME. */
export function dryRun(home: string, file: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(kubectl as string, ["create", "--dry-run=client", "--validate=false", "-o", "yaml", "-f", file], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: home } });
}
