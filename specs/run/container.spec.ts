import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveUser } from "../../runtime/runc/user.ts";
import { storeWithBusybox } from "../helpers/strata.ts";
import { build, lastLayer, output, removeTemps, runIn, temp } from "./helpers.ts";

describe("USER resolution (BuildKit's GetUser / libcontainer GetExecUser)", () => {
  const rootfs = temp("users");
  mkdirSync(join(rootfs, "etc"));
  writeFileSync(join(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n# comment\nweb:x:33:33:web:/var/www:/bin/false\n");
  writeFileSync(join(rootfs, "etc/group"), "root:x:0:root\nwheel:x:10:root,app\napp:x:1000:\nweb:x:33:app\n123:x:500:\n");
  const bare = temp("users-bare");

  it("a name gives its uid, primary gid, home, and the primary gid then every group that lists it as supplementary", async () => {
    expect(await resolveUser(rootfs, "app")).toEqual({ uid: 1000, gid: 1000, additionalGids: [1000, 10, 33], home: "/home/app" });
    expect(await resolveUser(rootfs, "")).toEqual({ uid: 0, gid: 0, additionalGids: [0, 10], home: "/root" });
  });

  it("uid:gid is taken as it is, its gid the only supplementary group; a numeric user matches passwd", async () => {
    expect(await resolveUser(rootfs, "1000:33")).toEqual({ uid: 1000, gid: 33, additionalGids: [33], home: "/home/app" });
    expect(await resolveUser(rootfs, "1000")).toEqual({ uid: 1000, gid: 1000, additionalGids: [1000, 10, 33], home: "/home/app" });
    expect(await resolveUser(rootfs, "4242")).toEqual({ uid: 4242, gid: 0, additionalGids: [0], home: "/" });
  });

  it("an explicit group by name, or numeric (a group named so first), leaves only itself as supplementary", async () => {
    expect(await resolveUser(rootfs, "app:web")).toEqual({ uid: 1000, gid: 33, additionalGids: [33], home: "/home/app" });
    expect(await resolveUser(rootfs, "app:123")).toMatchObject({ gid: 500 });
    expect(await resolveUser(rootfs, "app:77")).toMatchObject({ gid: 77 });
  });

  it("unknown names fail; no passwd is fine for root and numeric ids", async () => {
    await expect(resolveUser(rootfs, "nobody")).rejects.toThrow(/unable to find user nobody/);
    await expect(resolveUser(rootfs, "app:nogroup")).rejects.toThrow(/unable to find group nogroup/);
    expect(await resolveUser(bare, "")).toEqual({ uid: 0, gid: 0, additionalGids: [0], home: "/" });
    expect(await resolveUser(bare, "5")).toEqual({ uid: 5, gid: 0, additionalGids: [0], home: "/" });
  });
});

describe("the RUN container", () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("run-container"));
  });
  afterAll(() => {
    cleanup();
    removeTemps();
  });

  it("--network=none has only lo, and it is up; default and host share the host's interfaces", () => {
    const r = build(
      root,
      "net",
      [
        "FROM busybox:latest",
        "RUN --network=none ls /sys/class/net && ip -o link show lo | grep -o 'LOOPBACK,UP' && ping -c1 -W1 127.0.0.1 >/dev/null && echo ping-ok > /none",
        "RUN ls /sys/class/net | wc -l && hostname && cat /etc/hosts && touch /default",
        "RUN --network=host ls /sys/class/net | wc -l",
        "",
      ].join("\n"),
      {},
      // RUN --network=host needs the network.host entitlement, as in buildx (specs/run/run-flags.spec.ts).
      ["--no-merge", "--allow", "network.host"],
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = output(r);
    expect(lines.slice(0, 2)).toEqual(["lo", "LOOPBACK,UP"]);
    expect(Number(lines[2])).toBeGreaterThan(1);
    expect(lines.slice(3, 6)).toEqual(["buildkitsandbox", "127.0.0.1\tlocalhost buildkitsandbox", "::1\tlocalhost ip6-localhost ip6-loopback"]);
    expect(Number(lines[6])).toBe(Number(lines[2]));
    expect(runIn(root, "net", "cat", "/none").stdout).toBe("ping-ok\n");
    // /etc/hosts and /etc/resolv.conf were mount points only: the host RUN changed nothing and
    // so has no layer; the last layer is the default RUN's, with nothing but its own file.
    expect(lastLayer(root, "net")).toEqual(["default"]);
  });

  it("--security=insecure has every capability and the host's devices; sandbox has docker's defaults", () => {
    const r = build(root, "sec", "FROM busybox:latest\nRUN --security=insecure grep CapEff /proc/self/status && ls /dev | wc -l && touch /insecure\nRUN grep CapEff /proc/self/status && ls /dev | wc -l\n", {}, ["--no-merge", "--allow", "security.insecure"]);
    expect(r.code, r.stderr).toBe(0);
    const [insecureCaps, insecureDevs, caps, devs] = output(r);
    // Every capability this process may grant (all of them as root on a normal host).
    const bounding = /^CapBnd:\s*(\S+)$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    expect(insecureCaps?.split(/\s+/)[1]).toBe(bounding);
    expect(caps).toMatch(/CapEff:\s+00000000a80425fb/);
    expect(Number(insecureDevs)).toBeGreaterThan(Number(devs));
  });

  it("USER by name and by uid:gid, with supplementary groups and HOME; a missing WORKDIR is created by the USER in force", () => {
    const r = build(
      root,
      "user",
      [
        "FROM busybox:latest",
        "RUN echo 'app:x:1000:1000::/home/app:/bin/sh' >> /etc/passwd && echo 'app:x:1000:' >> /etc/group && echo 'extra:x:2000:app' >> /etc/group",
        "USER app",
        "WORKDIR /srv/app",
        "RUN id && echo HOME=$HOME && pwd && stat -c '%U %a' /srv/app /srv",
        "USER 33:65534",
        "RUN id && echo HOME=$HOME",
        "",
      ].join("\n"),
      {},
      ["--no-merge"],
    );
    expect(r.code, r.stderr).toBe(0);
    expect(output(r)).toEqual([
      // busybox id lists getgroups(): the supplementary groups runc set, the primary first (BuildKit).
      "uid=1000(app) gid=1000(app) groups=1000(app),2000(extra)",
      "HOME=/home/app",
      "/srv/app",
      // BuildKit's WORKDIR is a mkdir with the USER of that moment, parents included.
      "app 755",
      "app 755",
      "uid=33(www-data) gid=65534(nogroup) groups=65534(nogroup)",
      "HOME=/var/www",
    ]);
    expect(runIn(root, "user", "stat", "-c", "%n", "/srv/app").stdout.trim()).toBe("/srv/app");
  });

  it("an unknown USER fails at the RUN's line", () => {
    const r = build(root, "nouser", "FROM busybox:latest\nUSER ghost\nRUN true\n");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Dockerfile:3/);
    expect(r.stderr).toMatch(/unable to find user ghost/);
  });
});
