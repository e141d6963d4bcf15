import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, tempDir } from "../helpers/strata.ts";
import { listTar } from "../layer/helpers.ts";
import { makeTar, strataAsync } from "./helpers.ts";

/** cap_net_raw+ep as the kernel stores it (vfs_cap_data v2: magic|effective, permitted bit 13). */
const CAP_NET_RAW = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, ...new Array(12).fill(0)]);

/** Every entry of an image's layers (a later layer's entry wins), read from the store's OCI layout. */
async function imageEntries(root: string, ref: string) {
  const blob = (d: string) => join(root, "blobs", d.replace(":", "/"));
  const index = JSON.parse(readFileSync(join(root, "index.json"), "utf8")) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const desc = index.manifests.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] === ref);
  if (desc === undefined) throw new Error(`${ref} is not in the store`);
  const manifest = JSON.parse(readFileSync(blob(desc.digest), "utf8")) as { layers: { digest: string }[] };
  const entries = new Map<string, Awaited<ReturnType<typeof listTar>>[number]>();
  for (const l of manifest.layers) for (const e of await listTar(blob(l.digest))) entries.set(e.name, e);
  return entries;
}

const capOf = (e: { pax: Record<string, string> | null } | undefined) => e?.pax?.["SCHILY.xattr.security.capability"];

/** COPY --from keeps a file's extended attributes as BuildKit's copy does; a socket is skipped with a warning (issue 17, item 26). */
describe("COPY and extended attributes", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  let server: Server;
  let output: string;

  beforeAll(async () => {
    ({ root, cleanup } = storeWithBusybox("copy-xattrs"));
    ctx = tempDir("copy-xattrs");
    writeFileSync(
      join(ctx, "caps.tar"),
      makeTar([
        { name: "bin/", type: "dir" },
        { name: "bin/ping", content: "ping\n", mode: 0o755, xattrs: { "security.capability": CAP_NET_RAW } },
      ]),
    );
    writeFileSync(join(ctx, "plain.txt"), "plain\n");
    server = createServer();
    await new Promise<void>((resolve) => server.listen(join(ctx, "app.sock"), resolve));
    // An image whose layer holds the capability (made from the stage), then one copying from it.
    writeFileSync(join(ctx, "Dockerfile.img"), "FROM scratch AS caps\nADD caps.tar /\nFROM busybox:latest\nCOPY --from=caps /bin/ping /opt/ping\n");
    writeFileSync(
      join(ctx, "Dockerfile"),
      [
        "FROM scratch AS caps",
        "ADD caps.tar /",
        "FROM busybox:latest",
        "COPY --from=copy:img /opt/ping /from-image/ping",
        "COPY --from=caps /bin/ /from-stage/",
        "COPY --chown=1000:1000 --from=caps /bin/ping /chowned/ping",
        "COPY . /ctx/",
        "",
      ].join("\n"),
    );
    const b = await strataAsync(root, ["build", "--progress=plain", "-t", "copy:img", "-f", join(ctx, "Dockerfile.img"), ctx]);
    if (b.code !== 0) throw new Error(b.stderr);
    const r = await strataAsync(root, ["build", "--progress=plain", "-t", "copy:xattrs", ctx]);
    if (r.code !== 0) throw new Error(r.stderr);
    output = r.stdout + r.stderr;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    cleanup();
  });

  it("keeps security.capability through COPY --from a stage and an image, including under --chown (which clears it)", async () => {
    const entries = await imageEntries(root, "copy:xattrs");
    for (const name of ["from-image/ping", "from-stage/ping", "chowned/ping"]) {
      expect(capOf(entries.get(name)), name).toBe(CAP_NET_RAW.toString());
    }
    expect(entries.get("chowned/ping")).toMatchObject({ uid: 1000, gid: 1000 });
    expect(capOf(entries.get("ctx/plain.txt"))).toBeUndefined();
  });

  it("the stage that copied it from another stage has it too", async () => {
    expect(capOf((await imageEntries(root, "copy:img")).get("opt/ping"))).toBe(CAP_NET_RAW.toString());
  });

  it("a socket is not copied, and the build says so naming the path", () => {
    expect(output).toContain("WARN: not copied, a socket: /ctx/app.sock");
  });
});
