import { describe, expect, it } from "vitest";
import { parseChmod, parseExposePort, parseStopSignal } from "../../compiler/ir/config-values.ts";

const keys = (t: string) => {
  const r = parseExposePort(t);
  return r.ok ? r.value.keys : r.message;
};

describe("parseExposePort (BuildKit's EXPOSE port parser)", () => {
  it("accepts ports, protocols and ranges, as docker writes them", () => {
    expect(keys("80")).toEqual(["80/tcp"]);
    expect(keys("0")).toEqual(["0/tcp"]);
    expect(keys("65535/udp")).toEqual(["65535/udp"]);
    expect(keys("53/SCTP")).toEqual(["53/sctp"]);
    expect(keys("80/")).toEqual(["80/tcp"]);
    expect(keys("8000-8002/udp")).toEqual(["8000/udp", "8001/udp", "8002/udp"]);
    expect(keys("8080:80")).toEqual(["80/tcp"]);
    expect(keys("127.0.0.1:8080:80/udp")).toEqual(["80/udp"]);
    expect(keys("[::1]:8080:80")).toEqual(["80/tcp"]);
  });
  it("flags what BuildKit's linter warns about", () => {
    const r = parseExposePort("8080:80/TCP");
    expect(r.ok && { casing: r.value.protoCasing, host: r.value.hostPart }).toEqual({ casing: true, host: true });
    const plain = parseExposePort("80/tcp");
    expect(plain.ok && { casing: plain.value.protoCasing, host: plain.value.hostPart }).toEqual({ casing: false, host: false });
  });
  it("rejects what BuildKit rejects", () => {
    expect(keys("abc")).toBe("invalid containerPort: abc");
    expect(keys("99999")).toBe("invalid containerPort: 99999");
    expect(keys("65536/tcp")).toBe("invalid containerPort: 65536");
    expect(keys("/sctp")).toBe('invalid port: "/sctp": no port specified');
    expect(keys("80/foo")).toBe('invalid port: "80/foo": invalid proto: foo');
    expect(keys("90-80")).toBe("invalid containerPort: 90-80");
    expect(keys("x:8080:80")).toBe("invalid IP address: x");
    expect(keys("abc:80")).toBe("invalid hostPort: abc");
    expect(keys("8000-8001:80-82")).toBe("invalid ranges specified for container and host Ports: 80-82 and 8000-8001");
  });
});

describe("parseStopSignal (moby/sys signal.ParseSignal)", () => {
  it("accepts names with or without SIG, any case, RT signals and non-zero numbers", () => {
    expect(parseStopSignal("SIGTERM")).toEqual({ ok: true, value: 15 });
    expect(parseStopSignal("term")).toEqual({ ok: true, value: 15 });
    expect(parseStopSignal("SigKill")).toEqual({ ok: true, value: 9 });
    expect(parseStopSignal("SIGRTMIN+3")).toEqual({ ok: true, value: 37 });
    expect(parseStopSignal("RTMAX-1")).toEqual({ ok: true, value: 63 });
    expect(parseStopSignal("RTMAX")).toEqual({ ok: true, value: 64 });
    expect(parseStopSignal("9")).toEqual({ ok: true, value: 9 });
    expect(parseStopSignal("999")).toEqual({ ok: true, value: 999 });
  });
  it("rejects unknown names, 0 and RT offsets beyond the map", () => {
    expect(parseStopSignal("SIGFOO")).toEqual({ ok: false, message: "invalid signal: SIGFOO" });
    expect(parseStopSignal("0")).toEqual({ ok: false, message: "invalid signal: 0" });
    expect(parseStopSignal("SIGRTMIN+16").ok).toBe(false);
    expect(parseStopSignal("SIGSIGTERM").ok).toBe(false);
    expect(parseStopSignal("").ok).toBe(false);
  });
});

describe("parseChmod (dockerfile2llb --chmod)", () => {
  it("accepts any octal up to 07777", () => {
    expect(parseChmod("0")).toEqual({ ok: true, value: { kind: "octal", mode: 0 } });
    expect(parseChmod("7")).toEqual({ ok: true, value: { kind: "octal", mode: 7 } });
    expect(parseChmod("00755")).toEqual({ ok: true, value: { kind: "octal", mode: 0o755 } });
    expect(parseChmod("7777")).toEqual({ ok: true, value: { kind: "octal", mode: 0o7777 } });
  });
  it("accepts symbolic modes (Dockerfile 1.14)", () => {
    for (const s of ["+x", "u=rwX,go=rX", "g=u", "a-w", "u+s,o+t"]) expect(parseChmod(s)).toEqual({ ok: true, value: { kind: "symbolic", text: s } });
  });
  it("rejects the rest with BuildKit's message for numeric-looking values", () => {
    expect(parseChmod("10000")).toEqual({ ok: false, message: "invalid chmod parameter: '10000'. it should be octal string and between 0 and 07777" });
    expect(parseChmod("999")).toEqual({ ok: false, message: "invalid chmod parameter: '999'. it should be octal string and between 0 and 07777" });
    expect(parseChmod("u+q").ok).toBe(false);
    expect(parseChmod("").ok).toBe(false);
  });
});
