/**
 * Every snapshotter builds the same image (issue 20, item 2): with STRATA_SNAPSHOTTER=overlayfs,
 * fuse-overlayfs (where its binary and /dev/fuse are there) and native, `strata build` under
 * SOURCE_DATE_EPOCH gives one image ID, for examples/hello and for a Dockerfile whose RUNs delete,
 * replace, chmod and touch what the base has (whiteouts, type changes, copied-up directories).
 * All build in one store (a store can switch snapshotter) with --no-cache, so each runs every
 * step itself, on the one base image imported with the default snapshotter. The image built by
 * native also runs (a bind-mounted copied rootfs). As the ordinary user of the rootless specs,
 * native builds examples/hello to root's image ID too.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fuseUnavailable, type SnapshotterName } from "../../runtime/snapshot/select.ts";
import { asUser, describeRootless, userStoreWithBusybox } from "../helpers/rootless.ts";
import { repoRoot, storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

const SDE = "1700000000";
const asRoot = process.getuid?.() === 0;
const names: SnapshotterName[] = ["overlayfs", ...((await fuseUnavailable()) === undefined ? (["fuse-overlayfs"] as const) : []), "native"];
if (!names.includes("fuse-overlayfs")) process.stderr.write(`notice: fuse-overlayfs is not usable here (${await fuseUnavailable()}): its build is not compared\n`);

const CHANGES = `FROM busybox:latest
RUN rm /bin/true && mkdir -p /srv/a/b && echo x > /srv/a/b/f && chmod 0700 /srv/a
RUN rm -rf /srv/a/b && touch -d @1600000000 /etc/passwd && ln -s /etc /srv/etc
RUN rm /srv/etc && mkdir /srv/etc && echo y > /srv/etc/g && rmdir /home 2>/dev/null; mkdir -p /home/u
`;

describe.skipIf(!asRoot)("the same image from every snapshotter", () => {
  let store: { root: string; cleanup: () => void };
  let changes: string;
  beforeAll(() => {
    store = storeWithBusybox("snapshotters");
    changes = tempDir("snap-changes");
    mkdirSync(changes, { recursive: true });
    writeFileSync(join(changes, "Dockerfile"), CHANGES);
  });
  afterAll(() => {
    store?.cleanup();
  });

  const build = (n: SnapshotterName, tag: string, context: string): string => {
    const r = strata(store.root, ["build", "--no-cache", "-q", "-t", `${tag}-${n}`, context], { env: { STRATA_SNAPSHOTTER: n, SOURCE_DATE_EPOCH: SDE } });
    expect(r.code, `${n}: ${r.stderr}`).toBe(0);
    return r.stdout.trim();
  };

  it.each([
    ["examples/hello", "hello"],
    ["a Dockerfile of deletes, replacements and chmods", "changes"],
  ])("%s", (_what, tag) => {
    const context = tag === "hello" ? join(repoRoot, "examples/hello") : changes;
    const ids = names.map((n) => [n, build(n, tag, context)] as const);
    const first = ids[0]?.[1];
    for (const [n, id] of ids) expect(id, n).toBe(first);
  });

  it("strata info names the snapshotter, and the native build runs", () => {
    const root = store.root;
    const info = strata(root, ["info", "-f", "{{.Driver}}"], { env: { STRATA_SNAPSHOTTER: "native" } });
    expect(info.stdout).toBe("native\n");
    expect(strata(root, ["info", "-f", "{{.Driver}}"]).stdout).toBe("overlayfs\n");
    const r = strata(root, ["run", "--rm", "hello-native"], { env: { STRATA_SNAPSHOTTER: "native" } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("from a RUN step");
  });

  it("an unknown or unusable STRATA_SNAPSHOTTER is one line, exit 2", () => {
    const r = strata(store.root, ["build", "-q", changes], { env: { STRATA_SNAPSHOTTER: "zfs" } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("strata: error[ENV_SNAPSHOTTER]: STRATA_SNAPSHOTTER=zfs names no snapshotter: use overlayfs, fuse-overlayfs or native, or unset it");
  });
});

describeRootless("the copying snapshotter as an ordinary user", () => {
  let stores: Awaited<ReturnType<typeof userStoreWithBusybox>>;
  beforeAll(async () => {
    stores = await userStoreWithBusybox("snap-native");
  });
  afterAll(() => stores?.cleanup());

  it("builds examples/hello to root's image ID, and runs it", async () => {
    const hello = join(repoRoot, "examples/hello");
    const rootId = strata(stores.root, ["build", "-q", "-t", "hello", hello], { env: { SOURCE_DATE_EPOCH: SDE } });
    expect(rootId.code, rootId.stderr).toBe(0);
    const env = { STRATA_SNAPSHOTTER: "native", SOURCE_DATE_EPOCH: SDE };
    const b = await asUser(["--root", stores.userRoot, "build", "-q", "-t", "hello", hello], { env });
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout.trim()).toBe(rootId.stdout.trim());
    const r = await asUser(["--root", stores.userRoot, "run", "--rm", "hello"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("from a RUN step");
  });
});
