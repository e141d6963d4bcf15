import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, type Body, type HttpMethod, request } from "./http.ts";
import { streamedGet } from "./http-stream.ts";
import { type Credentials, credentialsFor } from "./auth.ts";
import { parseChallenge } from "./challenge.ts";
import { describeErrors, RegistryError } from "./errors.ts";
import { allowsPlainHttp } from "./reference.ts";
import { redactUrl } from "./redact.ts";
import { StrataError } from "../errors/error.ts";

/**
 * The HTTP side of the OCI distribution spec, for one registry host:
 * authentication from WWW-Authenticate challenges (Bearer tokens per scope,
 * or Basic), redirects followed by hand so credentials never go to another
 * origin (blob GETs often redirect to storage), bounded retries with
 * exponential backoff on 5xx, 429 and network errors or timeouts, and plain
 * HTTP only where reference.ts allows it.
 */
export interface ClientOptions {
  /** --insecure-registry hosts. */
  readonly insecure?: readonly string[];
  /** Credentials to use instead of the stored ones (strata login checks them this way). */
  readonly credentials?: Credentials | undefined;
  /** Attempts for one request (default 5; STRATA_REGISTRY_RETRIES). */
  readonly attempts?: number;
  /** First backoff in ms, doubled each retry (default 200; STRATA_REGISTRY_BACKOFF_MS). */
  readonly backoffMs?: number;
  /** Headers and body timeouts in ms (default 60 s; STRATA_REGISTRY_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface RequestOptions {
  readonly headers?: Record<string, string>;
  /** Made anew for each attempt, so a retry re-sends the whole body. */
  readonly body?: () => Readable | Buffer | string;
  /**
   * One attempt only: no retry and no answer to an auth challenge, as both
   * would send the body again. For a body that can be read once (a stream
   * made as it is sent); the caller handles the failure.
   */
  readonly once?: boolean;
  /** Told each chunk of a stream body once the connection has taken it (its memory may then be used again). */
  readonly flushed?: ((chunk: Buffer) => void) | undefined;
  /** Repository scopes the request needs, e.g. ["repository:app:pull,push"]. */
  readonly scopes: readonly string[];
  /** Statuses the caller handles itself (default: any 2xx). */
  readonly ok?: readonly number[];
  /** A GET of a big body read once, in order: on a connection of its own, through one reused buffer (http-stream.ts). */
  readonly streamed?: boolean;
}

export interface Response {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Body;
  readonly url: string;
}

// Connect, headers and body timeouts are all ETIMEDOUT (http.ts); a dropped socket is ECONNRESET or EPIPE.
const RETRYABLE_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ECONNABORTED"]);

/** The request for a message: its path, and where a redirect took it; query values redacted (redact.ts). */
function where(path: string, url: string): string {
  const asked = redactUrl(path);
  const at = redactUrl(url);
  return at.endsWith(asked) ? asked : `${asked} (redirected to ${at})`;
}

export function header(r: { headers: Record<string, string | string[] | undefined> }, name: string): string | undefined {
  const v = r.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export class RegistryClient {
  readonly host: string;
  readonly base: string;
  readonly #o: ClientOptions;
  readonly #dispatcher: Agent;
  /** Authorization header per scope set (Bearer), or for every request (Basic). */
  readonly #tokens = new Map<string, string>();
  #basic: string | undefined;
  #creds: Promise<Credentials | undefined> | undefined;

  constructor(host: string, o: ClientOptions = {}) {
    const plain = allowsPlainHttp(host, o.insecure ?? []);
    this.host = host;
    this.base = `${plain ? "http" : "https"}://${host}`;
    this.#o = o;
    const timeout = o.timeoutMs ?? Number(process.env.STRATA_REGISTRY_TIMEOUT_MS ?? 60_000);
    this.#dispatcher = new Agent({ timeout, connections: 8 });
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  credentials(): Promise<Credentials | undefined> {
    this.#creds ??= this.#o.credentials ? Promise.resolve(this.#o.credentials) : credentialsFor(this.host === "registry-1.docker.io" ? "docker.io" : this.host);
    return this.#creds;
  }

  /** One API request, authenticated, redirected and retried as the class comment says. */
  async request(method: string, path: string, ro: RequestOptions): Promise<Response> {
    const attempts = ro.once ? 1 : (this.#o.attempts ?? Number(process.env.STRATA_REGISTRY_RETRIES ?? 5));
    const backoff = this.#o.backoffMs ?? Number(process.env.STRATA_REGISTRY_BACKOFF_MS ?? 200);
    const scopeKey = [...ro.scopes].sort().join(" ");
    let authRetried = ro.once === true;
    for (let attempt = 1; ; attempt++) {
      let r: Response;
      try {
        r = await this.#send(method, path, ro, scopeKey);
      } catch (e) {
        const code = (e as { code?: string }).code ?? "";
        if (attempt < attempts && (RETRYABLE_CODES.has(code) || (e as Error).name === "AbortError")) {
          this.#o.log?.(`${this.host}: ${method} ${redactUrl(path)}: ${redactUrl((e as Error).message)}; retrying (${attempt}/${attempts - 1})`);
          await sleep(backoff * 2 ** (attempt - 1));
          continue;
        }
        if (e instanceof StrataError) throw e;
        throw new RegistryError("REGISTRY_UNREACHABLE", `cannot reach registry ${this.host} (${method} ${redactUrl(path)}): ${redactUrl((e as Error).message)}`, undefined, { cause: e });
      }
      // A 401 from where a redirect went (blob storage) is not the registry's to answer: no credentials go there.
      if (r.status === 401 && new URL(r.url).origin !== new URL(this.base).origin) {
        await r.body.dump();
        throw new RegistryError("REGISTRY_UNAUTHORIZED", `${this.host}: ${method} ${where(path, r.url)}: HTTP 401 from the redirect's host; its credentials are not sent there`, 401);
      }
      if (r.status === 401 && !authRetried) {
        authRetried = true;
        const challenge = header(r, "www-authenticate");
        await r.body.dump();
        if (challenge && (await this.#authenticate(challenge, scopeKey))) {
          attempt--;
          continue;
        }
        throw new RegistryError("REGISTRY_UNAUTHORIZED", `${this.host}: authentication required for ${method} ${where(path, r.url)}; log in with strata login ${this.host}`, 401);
      }
      if ((r.status >= 500 || r.status === 429) && attempt < attempts) {
        const after = Number(header(r, "retry-after"));
        await r.body.dump();
        const wait = Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 10_000) : backoff * 2 ** (attempt - 1);
        this.#o.log?.(`${this.host}: ${method} ${where(path, r.url)}: HTTP ${r.status}; retrying in ${wait} ms (${attempt}/${attempts - 1})`);
        await sleep(wait);
        continue;
      }
      const ok = ro.ok ? ro.ok.includes(r.status) : r.status >= 200 && r.status < 300;
      if (!ok) {
        const text = await r.body.text().catch(() => "");
        const what = describeErrors(text);
        const code = r.status === 401 ? "REGISTRY_UNAUTHORIZED" : r.status === 403 ? "REGISTRY_DENIED" : r.status === 404 ? "REGISTRY_NOT_FOUND" : "REGISTRY_ERROR";
        throw new RegistryError(code, `${this.host}: ${method} ${where(path, r.url)}: HTTP ${r.status}${what ? ` ${what}` : ""}`, r.status);
      }
      return r;
    }
  }

  async #send(method: string, path: string, ro: RequestOptions, scopeKey: string): Promise<Response> {
    let url = new URL(path, this.base);
    const origin = new URL(this.base).origin;
    for (let hops = 0; ; hops++) {
      const headers: Record<string, string> = { "user-agent": "strata", ...ro.headers };
      const auth = this.#tokens.get(scopeKey) ?? this.#basic;
      // Credentials only ever go to the registry's own origin, never to where it redirects.
      if (auth && url.origin === origin) headers.authorization = auth;
      const body = hops === 0 ? ro.body?.() : undefined;
      const res = ro.streamed && method === "GET" ? await streamedGet(url, { headers, timeout: this.#dispatcher.timeout }) : await request(url, { method: method as HttpMethod, headers, body, flushed: ro.flushed, dispatcher: this.#dispatcher });
      const r: Response = { status: res.statusCode, headers: res.headers, body: res.body, url: url.toString() };
      const location = header(r, "location");
      if ([301, 302, 303, 307, 308].includes(r.status) && location && (method === "GET" || method === "HEAD") && hops < 5) {
        await res.body.dump();
        url = new URL(location, url);
        if (url.protocol === "http:" && !allowsPlainHttp(url.host, this.#o.insecure ?? [])) throw new RegistryError("REGISTRY_INSECURE_REDIRECT", `${this.host}: redirected to plain-HTTP ${url.origin}; refused`);
        continue;
      }
      return r;
    }
  }

  /** Answers a challenge: a Bearer token for the scopes, or Basic credentials. */
  async #authenticate(challenge: string, scopeKey: string): Promise<boolean> {
    const c = parseChallenge(challenge);
    if (!c) return false;
    const creds = await this.credentials();
    if (c.scheme === "basic") {
      if (!creds) return false;
      this.#basic = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
      return true;
    }
    if (c.scheme !== "bearer" || !c.params.realm) return false;
    const realm = new URL(c.params.realm);
    if (realm.protocol === "http:" && !allowsPlainHttp(realm.host, this.#o.insecure ?? [])) throw new RegistryError("REGISTRY_INSECURE_REALM", `${this.host}: token service ${realm.origin} is plain HTTP; refused`);
    if (c.params.service) realm.searchParams.set("service", c.params.service);
    for (const s of scopeKey ? scopeKey.split(" ") : c.params.scope ? [c.params.scope] : []) realm.searchParams.append("scope", s);
    const headers: Record<string, string> = { "user-agent": "strata" };
    if (creds) headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
    const res = await request(realm, { method: "GET", headers, dispatcher: this.#dispatcher });
    if (res.statusCode !== 200) {
      const text = await res.body.text().catch(() => "");
      throw new RegistryError("REGISTRY_UNAUTHORIZED", `${this.host}: the token service ${realm.origin} refused (HTTP ${res.statusCode}${text ? ` ${describeErrors(text)}` : ""}); check strata login ${this.host}`, res.statusCode);
    }
    const j = (await res.body.json()) as { token?: string; access_token?: string };
    const token = j.token ?? j.access_token;
    if (!token) return false;
    this.#tokens.set(scopeKey, `Bearer ${token}`);
    return true;
  }
}
