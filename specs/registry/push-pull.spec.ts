import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { imageDigests, startRegistry, type TestRegistry } from "./helpers.ts";

describe("push and pull against a real registry", () => {
  let reg: TestRegistry;
  let root: string;
  let cleanup: () => void;
  const others: string[] = [];
  const fresh = (name: string) => {
    const r = tempDir(name);
    others.push(r);
    return r;
  };
  beforeAll(async () => {
    reg = await startRegistry();
    ({ root, cleanup } = storeWithBusybox("push"));
  });
  afterAll(async () => {
    await reg.stop();
    cleanup();
    for (const r of others) rmSync(r, { recursive: true, force: true });
  });

  it("push then pull into a fresh root gives identical digests", () => {
    const name = `${reg.host}/busybox:1.0`;
    expect(strata(root, ["tag", "busybox:latest", name]).code).toBe(0);
    const push = strata(root, ["push", name]);
    expect(push.stderr).toMatch(/Pushed/);
    expect(push.code).toBe(0);
    expect(push.stdout).toMatch(new RegExp(`${name}@sha256:[a-f0-9]{64}`));
    const other = fresh("pull");
    const pull = strata(other, ["pull", name]);
    expect(pull.code).toBe(0);
    expect(pull.stderr).toMatch(/Pull complete/);
    // The same image (config digest), stored as the registry has it: its manifest is the one pushed.
    const pushed = /@(sha256:[a-f0-9]{64})/.exec(push.stdout)?.[1];
    expect(imageDigests(other, name)).toEqual({ manifest: pushed, id: imageDigests(root, "busybox:latest")?.id });
    expect(pull.stderr).toContain(`Digest: ${pushed}`);
    expect(strata(other, ["system", "verify"]).code).toBe(0);
    // The compressed layers are unpacked (and checked against their diffIDs) on first use, and kept by gc.
    expect(strata(other, ["run", "--rm", name, "echo", "pulled"]).stdout).toBe("pulled\n");
    expect(strata(other, ["system", "prune", "-f"]).code).toBe(0);
    expect(readdirSync(join(other, "snapshots")).filter((d) => d !== "l")).toHaveLength(1);
    // Pushing again uploads nothing: the registry has every blob.
    const again = strata(root, ["push", name]);
    expect(again.stderr).toMatch(/Layer already exists/);
    expect(again.stderr).not.toMatch(/Pushed/);
    // The same digest from the registry too: compression is deterministic and remembered.
    expect(again.stdout).toBe(push.stdout);
  });

  it("the lesson flow: tag, push, rmi, pull back, save, load into another root", () => {
    const name = `localhost:${reg.port}/lesson:1.0`;
    const before = imageDigests(root, "busybox:latest");
    expect(strata(root, ["tag", "busybox:latest", name]).code).toBe(0);
    const push = strata(root, ["push", name]);
    expect(push.code).toBe(0);
    const pushed = /@(sha256:[a-f0-9]{64})/.exec(push.stdout)?.[1];
    expect(strata(root, ["rmi", name]).code).toBe(0);
    expect(imageDigests(root, name)).toBeUndefined();
    const pull = strata(root, ["pull", name]);
    expect(pull.code).toBe(0);
    // Pulled: the image id as built, the manifest as pushed (the registry's, compressed layers).
    expect(imageDigests(root, name)).toEqual({ manifest: pushed, id: before?.id });
    const dir = fresh("save");
    const tar = join(dir, "x.tar");
    const save = strata(root, ["save", "-o", tar, name]);
    expect(save.stderr).toBe("");
    expect(save.code).toBe(0);
    const other = fresh("load");
    const load = strata(other, ["load", "-i", tar]);
    expect(load.code).toBe(0);
    expect(load.stdout).toBe(`Loaded image: ${name}\n`);
    // Loaded: layers stored uncompressed again, so the manifest is the built one too.
    expect(imageDigests(other, name)).toEqual(before);
    expect(strata(other, ["system", "verify"]).stdout).toMatch(/ok/);
  });

  it("pushes in chunks, with zstd, and mounts blobs across repositories", () => {
    const a = `${reg.host}/chunked:1`;
    strata(root, ["tag", "busybox:latest", a]);
    const p = strata(root, ["push", "--chunk-size", "100000", "--compression", "zstd", a]);
    expect(p.code).toBe(0);
    const other = fresh("zstd");
    expect(strata(other, ["pull", a]).code).toBe(0);
    expect(imageDigests(other, a)?.id).toBe(imageDigests(root, "busybox:latest")?.id);
    // A repository on the same registry that lacks the layer gets it by a mount.
    const b = `${reg.host}/mounted:1`;
    strata(other, ["tag", a, b]);
    const m = strata(other, ["push", "--compression", "zstd", b]);
    expect(m.code).toBe(0);
    expect(m.stderr).toMatch(/Mounted from chunked/);
  });

  it("import takes --change instructions", () => {
    const dir = fresh("import");
    const tar = join(dir, "rootfs.tar");
    writeFileSync(tar, Buffer.alloc(1024));
    const r = strata(root, ["import", "-c", "ENV A=1 B=two", "-c", 'CMD ["/bin/sh"]', "-c", "EXPOSE 80", "-c", "WORKDIR /srv", "-m", "hi", tar, "changed:1"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const d = imageDigests(root, "changed:1");
    const config = JSON.parse(readFileSync(join(root, "blobs/sha256", (d?.id ?? "").slice(7)), "utf8"));
    expect(config.config.Env).toEqual(["A=1", "B=two"]);
    expect(config.config.Cmd).toEqual(["/bin/sh"]);
    expect(config.config.ExposedPorts).toEqual({ "80/tcp": {} });
    expect(config.config.WorkingDir).toBe("/srv");
    const bad = strata(root, ["import", "-c", "RUN true", tar]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/RUN is not allowed/);
  });
});
