/** Predefined platform ARGs (reference: "Automatic platform ARGs in the global scope"). */
export function platformArgs(target: string, build: string): Map<string, string> {
  const m = new Map<string, string>();
  const put = (prefix: "TARGET" | "BUILD", p: string): void => {
    const [os = "linux", arch = "amd64", variant = ""] = p.split("/");
    m.set(`${prefix}PLATFORM`, p);
    m.set(`${prefix}OS`, os);
    m.set(`${prefix}ARCH`, arch);
    m.set(`${prefix}VARIANT`, variant);
  };
  put("TARGET", target);
  put("BUILD", build);
  return m;
}

/** Proxy ARGs are predefined: usable without ARG, kept out of history and cache keys. */
export const PROXY_ARGS: ReadonlySet<string> = new Set([
  "HTTP_PROXY",
  "http_proxy",
  "HTTPS_PROXY",
  "https_proxy",
  "FTP_PROXY",
  "ftp_proxy",
  "NO_PROXY",
  "no_proxy",
  "ALL_PROXY",
  "all_proxy",
]);

/** The platform of this machine in OCI form. */
export function hostPlatform(arch: string): string {
  const map: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm/v7", ia32: "386", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" };
  return `linux/${map[arch] ?? arch}`;
}
