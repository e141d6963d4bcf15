/**
 * examples/sshd: docker's image lesson lab on a Debian 12 base made with debootstrap
 * (scripts/debian-rootfs.sh, cached under /var/cache/strata-test/ by date). Needs the Debian
 * mirror: debootstrap and the build's apt-get (RUN uses host networking) both download. Nothing is
 * skipped: without the mirror, the first spec fails saying so.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, strata, tempDir } from "../helpers/strata.ts";

/** A TCP port nothing listens on right now (the container shares the host's network). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (a && typeof a === "object" ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

describe("examples/sshd: sshd, ps and the network tools on Debian bookworm", { timeout: 600_000 }, () => {
  let root: string;
  let built: { code: number; stderr: string } | undefined;
  let setupError: string | undefined;

  beforeAll(() => {
    root = tempDir("sshd-root");
    const tar = join(root, "..", `${root.split("/").pop()}-debian.tar`);
    const mk = spawnSync("bash", [join(repoRoot, "scripts/debian-rootfs.sh"), tar], { encoding: "utf8" });
    if (mk.status !== 0) {
      setupError = `scripts/debian-rootfs.sh failed (exit ${mk.status}); is the Debian mirror reachable?\n${mk.stderr}`;
      return;
    }
    const imp = strata(root, ["import", tar, "debian:bookworm"]);
    rmSync(tar, { force: true });
    if (imp.code !== 0) {
      setupError = `strata import of the Debian rootfs failed (exit ${imp.code}):\n${imp.stderr}`;
      return;
    }
    built = strata(root, ["build", "-t", "sshd:latest", "examples/sshd"]);
  }, 600_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("debootstraps and imports debian:bookworm, then builds the image (apt-get from the mirror)", () => {
    expect(setupError, setupError).toBeUndefined();
    expect(built?.code, `strata build examples/sshd failed:\n${built?.stderr}`).toBe(0);
  });

  it("sshd -t passes: configuration, host keys and /run/sshd are in place", () => {
    expect(built?.code).toBe(0);
    const r = strata(root, ["run", "--rm", "sshd:latest", "/usr/sbin/sshd", "-t"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const keys = strata(root, ["run", "--rm", "sshd:latest", "sh", "-c", "ls /etc/ssh/ssh_host_*_key && stat -c %a /run/sshd"]);
    expect(keys.stdout).toContain("/etc/ssh/ssh_host_ed25519_key");
    expect(keys.stdout).toContain("/etc/ssh/ssh_host_rsa_key");
    expect(keys.stdout.trim().endsWith("755")).toBe(true);
  });

  it("has ps (procps) and ip/ss (iproute2), and no apt lists or recommends", () => {
    expect(built?.code).toBe(0);
    const r = strata(root, ["run", "--rm", "sshd:latest", "sh", "-c", "ps -o comm= -p 1; ip -V; ss -V; ls /var/lib/apt/lists | grep -vx -e lock -e partial | wc -l"]);
    expect(r.code).toBe(0);
    const [ps, ip, ss, lists] = r.stdout.trim().split("\n");
    expect(ps).toBe("sh");
    expect(ip).toMatch(/^ip utility, iproute2-/);
    expect(ss).toMatch(/^ss utility, iproute2-/);
    expect(lists).toBe("0");
    // --no-install-recommends: xauth, a recommend of openssh-server, is not installed.
    const rec = strata(root, ["run", "--rm", "sshd:latest", "sh", "-c", "[ -e /usr/bin/xauth ] && echo installed || echo absent"]);
    expect(rec.stdout.trim()).toBe("absent");
  });

  it("config: the default command starts sshd in the foreground, port 22 exposed", () => {
    expect(built?.code).toBe(0);
    const cfg = spawnSync("skopeo", ["inspect", "--config", `oci:${root}:sshd:latest`], { encoding: "utf8" });
    const config = JSON.parse(cfg.stdout).config;
    expect(config.Cmd).toEqual(["/usr/sbin/sshd", "-D", "-e"]);
    expect(Object.keys(config.ExposedPorts ?? {})).toEqual(["22/tcp"]);
    expect((config.Env ?? []).some((e: string) => e.startsWith("DEBIAN_FRONTEND="))).toBe(false);
  });

  it("sshd starts and answers with its SSH banner", async () => {
    expect(built?.code).toBe(0);
    const port = await freePort();
    // sshd daemonizes inside the container; bash reads the banner; when bash (pid 1) exits, the
    // container and sshd with it are gone, so nothing outlives the spec.
    const script = [
      `/usr/sbin/sshd -e -p ${port} -o ListenAddress=127.0.0.1`,
      `for i in $(seq 50); do exec 3<>/dev/tcp/127.0.0.1/${port} 2>/dev/null && break; sleep 0.1; done`,
      "head -c 8 <&3",
    ].join("\n");
    const r = strata(root, ["run", "--rm", "sshd:latest", "bash", "-c", script]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("SSH-2.0-");
  });
});
