/**
 * URLs as they may appear in a log line or an error message: the values of query parameters
 * replaced by REDACTED (a redirect to blob storage carries signatures and tokens there; an
 * upload location carries the registry's session state), except the few that are names, not
 * secrets (digest, mount, from, scope, service, n, last).
 */
const PLAIN = new Set(["digest", "mount", "from", "scope", "service", "n", "last"]);

export function redactUrl(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const hash = url.indexOf("#", q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const parts = query.split("&").map((kv) => {
    const eq = kv.indexOf("=");
    if (eq < 0) return kv;
    const key = kv.slice(0, eq);
    let name = key;
    try {
      name = decodeURIComponent(key).toLowerCase();
    } catch {}
    return PLAIN.has(name) ? kv : `${key}=REDACTED`;
  });
  return `${url.slice(0, q)}?${parts.join("&")}`;
}
