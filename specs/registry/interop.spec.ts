import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { imageDigests } from "./helpers.ts";

/** podman with its own root and runroot, never the machine's. */
function podman(dir: string, args: string[]) {
  return spawnSync("podman", ["--root", join(dir, "root"), "--runroot", join(dir, "runroot"), "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "none", ...args], { encoding: "utf8" });
}

describe("archives other tools read and write", () => {
  let root: string;
  let cleanup: () => void;
  let dir: string;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("interop"));
    dir = tempDir("interop");
  });
  afterAll(() => {
    podman(join(dir, "podman"), ["system", "reset", "--force"]);
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("podman loads a Strata docker-archive and runs it", () => {
    const tar = join(dir, "bb.tar");
    expect(strata(root, ["save", "-o", tar, "busybox:latest"]).code).toBe(0);
    const load = podman(join(dir, "podman"), ["load", "-i", tar]);
    expect(load.status, load.stderr).toBe(0);
    const name = /Loaded image(?:\(s\))?: (\S+)/.exec(load.stdout)?.[1] as string;
    expect(name).toMatch(/busybox:latest$/);
    const run = podman(join(dir, "podman"), ["run", "--rm", "--net", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096", name, "echo", "hello from podman"]);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("hello from podman\n");
  });

  it("skopeo reads Strata's docker-archive and oci-archive (zstd too)", () => {
    const d = join(dir, "d.tar");
    const o = join(dir, "o.tar");
    expect(strata(root, ["save", "-o", d, "busybox:latest"]).code).toBe(0);
    expect(strata(root, ["save", "--format", "oci-archive", "--compression", "zstd", "-o", o, "busybox:latest"]).code).toBe(0);
    const id = imageDigests(root, "busybox:latest")?.id;
    for (const ref of [`docker-archive:${d}:busybox:latest`, `oci-archive:${o}`]) {
      const cfg = spawnSync("skopeo", ["inspect", "--config", "--raw", ref], { encoding: "utf8" });
      expect(cfg.status, cfg.stderr).toBe(0);
      expect(`sha256:${createHash("sha256").update(cfg.stdout).digest("hex")}`).toBe(id);
    }
  });

  it("loads podman save output, skopeo's oci-archive and a gzip'd archive, with the same image id", () => {
    const id = imageDigests(root, "busybox:latest")?.id;
    const p = join(dir, "podman.tar");
    const s = podman(join(dir, "podman"), ["save", "-o", p, "docker.io/library/busybox:latest"]);
    expect(s.status, s.stderr).toBe(0);
    const a = tempDir("load-podman");
    const la = strata(a, ["load", "-i", p]);
    expect(la.stderr).toBe("");
    expect(la.stdout).toMatch(/Loaded image: busybox:latest/);
    expect(imageDigests(a, "busybox:latest")?.id).toBe(id);

    const sk = join(dir, "skopeo.tar");
    const c = spawnSync("skopeo", ["copy", "-q", `oci:${root}:busybox:latest`, `oci-archive:${sk}:app:sk`], { encoding: "utf8" });
    expect(c.status, c.stderr).toBe(0);
    const lb = strata(a, ["load", "-i", sk]);
    expect(lb.stdout).toBe("Loaded image: app:sk\n");
    expect(imageDigests(a, "app:sk")?.id).toBe(id);

    const gz = join(dir, "podman.tar.gz");
    writeFileSync(gz, gzipSync(readFileSync(p)));
    const b = tempDir("load-gz");
    const lc = spawnSync("sh", ["-c", `${process.execPath} ${join(process.cwd(), "bin/strata.js")} --root ${b} load < ${gz}`], { encoding: "utf8" });
    expect(lc.stdout).toMatch(/Loaded image: busybox:latest/);
    expect(strata(b, ["system", "verify"]).stdout).toMatch(/ok/);
    for (const r of [a, b]) rmSync(r, { recursive: true, force: true });
  });
});
