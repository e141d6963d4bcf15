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

/** os, architecture and variant of an OCI platform string, normalised as containerd does (x86_64 is amd64, arm64/v8 is arm64, arm is arm/v7). */
export function parsePlatform(p: string): { os: string; arch: string; variant: string } {
  const [os = "linux", rawArch = "amd64", rawVariant = ""] = p.toLowerCase().split("/");
  const arch = ({ x86_64: "amd64", "x86-64": "amd64", aarch64: "arm64", armhf: "arm", armel: "arm", i386: "386" } as Record<string, string>)[rawArch] ?? rawArch;
  let variant = rawVariant;
  if (arch === "arm64" && (variant === "v8" || variant === "8")) variant = "";
  if (arch === "amd64" && variant === "v1") variant = "";
  if (arch === "arm" && variant === "") variant = "v7";
  return { os, arch, variant };
}

/** Whether layers of platform `have` are what `want` asks for (a variant left out matches any). */
export function platformMatches(want: string, have: string): boolean {
  const w = parsePlatform(want);
  const h = parsePlatform(have);
  return w.os === h.os && w.arch === h.arch && (w.variant === "" || h.variant === "" || w.variant === h.variant);
}

/** An image config's platform in OCI form: linux/arm64, linux/arm/v7. */
export function imagePlatform(config: { readonly os: string; readonly architecture: string; readonly variant?: string | undefined }): string {
  return `${config.os || "linux"}/${config.architecture}${config.variant ? `/${config.variant}` : ""}`;
}
