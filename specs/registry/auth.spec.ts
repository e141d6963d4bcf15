import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { imageDigests, startProxy, startRegistry, strataAsync, type TestRegistry } from "./helpers.ts";

describe("registry authentication", () => {
  let root: string;
  let cleanup: () => void;
  let home: string;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("auth"));
    home = tempDir("auth-home");
  });
  afterAll(() => {
    cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  describe("basic (htpasswd)", () => {
    let reg: TestRegistry;
    beforeAll(async () => {
      reg = await startRegistry({ htpasswd: { user: "alice", password: "s3cret" } });
    });
    afterAll(async () => reg.stop());

    it("refuses without credentials, logs in, pushes and pulls, logs out", () => {
      const env = { HOME: home };
      const name = `${reg.host}/private:1`;
      strata(root, ["tag", "busybox:latest", name]);
      const denied = strata(root, ["push", name], { env });
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/authentication required .* strata login 127\.0\.0\.1/);
      const wrong = strata(root, ["login", "-u", "alice", "-p", "nope", reg.host], { env });
      expect(wrong.code).toBe(1);
      const login = strata(root, ["login", "-u", "alice", "--password-stdin", reg.host], { env: { ...env } });
      // --password-stdin with nothing on stdin is refused; give it through -p for the rest.
      expect(login.code).toBe(1);
      expect(strata(root, ["login", "-u", "alice", "-p", "s3cret", reg.host], { env }).stdout).toBe("Login Succeeded\n");
      const file = JSON.parse(readFileSync(join(home, ".docker/config.json"), "utf8"));
      expect(Buffer.from(file.auths[reg.host].auth, "base64").toString()).toBe("alice:s3cret");
      expect(strata(root, ["push", name], { env }).code).toBe(0);
      const other = tempDir("auth-pull");
      expect(strata(other, ["pull", name], { env }).code).toBe(0);
      expect(imageDigests(other, name)?.id).toBe(imageDigests(root, "busybox:latest")?.id);
      expect(strata(root, ["logout", reg.host], { env }).stdout).toMatch(/Removing login credentials/);
      expect(strata(other, ["pull", name], { env }).code).toBe(1);
      rmSync(other, { recursive: true, force: true });
    });

    it("reads ~/.docker/config.json", () => {
      const dockerHome = tempDir("docker-home");
      mkdirSync(join(dockerHome, ".docker"));
      writeFileSync(join(dockerHome, ".docker/config.json"), JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from("alice:s3cret").toString("base64") } } }));
      const other = tempDir("docker-pull");
      const r = strata(other, ["pull", `${reg.host}/private:1`], { env: { HOME: dockerHome } });
      expect(r.code, r.stderr).toBe(0);
      rmSync(other, { recursive: true, force: true });
      rmSync(dockerHome, { recursive: true, force: true });
    });
  });

  it("bearer tokens from a token server named in the WWW-Authenticate challenge", async () => {
    const reg = await startRegistry();
    const tokens = new Set<string>();
    const scopes: string[] = [];
    let tokenAuth = "";
    // Blob GETs redirect to another origin (as registries redirect to storage); it must never see credentials.
    const seenBySide: string[] = [];
    const side = await startProxy(reg.port, (req) => {
      seenBySide.push(req.headers.authorization ?? "");
      return false;
    });
    // The token server and the guarded registry front in one tiny server on 127.0.0.1.
    const front = await startProxy(reg.port, (req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/token") {
        tokenAuth = req.headers.authorization ?? "";
        if (tokenAuth !== `Basic ${Buffer.from("bob:pw").toString("base64")}`) {
          res.writeHead(401);
          res.end();
          return true;
        }
        scopes.push(...url.searchParams.getAll("scope"));
        const t = `tok-${tokens.size}`;
        tokens.add(t);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ token: t }));
        return true;
      }
      const auth = req.headers.authorization ?? "";
      if (auth.startsWith("Bearer ") && tokens.has(auth.slice(7))) {
        if (req.method === "GET" && /\/blobs\/sha256:/.test(url.pathname)) {
          res.writeHead(307, { location: `http://localhost:${side.port}${req.url}` });
          res.end();
          return true;
        }
        return false;
      }
      res.writeHead(401, { "www-authenticate": `Bearer realm="http://${front.host}/token",service="strata-test"`, "content-type": "application/json" });
      res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }));
      return true;
    });
    try {
      const bearerHome = tempDir("bearer-home");
      mkdirSync(join(bearerHome, ".config/strata"), { recursive: true });
      writeFileSync(join(bearerHome, ".config/strata/auth.json"), JSON.stringify({ auths: { [front.host]: { auth: Buffer.from("bob:pw").toString("base64") } } }));
      const name = `${front.host}/tokened:1`;
      strata(root, ["tag", "busybox:latest", name]);
      const p = await strataAsync(root, ["push", name], { env: { HOME: bearerHome } });
      expect(p.code, p.stderr).toBe(0);
      expect(scopes).toContain("repository:tokened:pull,push");
      const other = tempDir("bearer-pull");
      const q = await strataAsync(other, ["pull", name], { env: { HOME: bearerHome } });
      expect(q.code, q.stderr).toBe(0);
      expect(imageDigests(other, name)?.id).toBe(imageDigests(root, "busybox:latest")?.id);
      expect(seenBySide.length).toBeGreaterThan(0);
      expect(seenBySide.every((a) => a === "")).toBe(true);
      rmSync(other, { recursive: true, force: true });
      rmSync(bearerHome, { recursive: true, force: true });
    } finally {
      await front.close();
      await side.close();
      await reg.stop();
    }
  });
});
