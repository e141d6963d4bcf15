import type { CommandLine, Instruction } from "../dockerfile/ast.ts";
import { parseExposePort, parseStopSignal } from "../ir/config-values.ts";
import { DEFAULT_SHELL, envSet } from "../ir/env.ts";
import type { ContainerConfig } from "../ir/image-config.ts";
import { goQuoteSlice, goSet, goSlice, healthcheckCreatedBy } from "./created-by.ts";
import type { Expander, Scope } from "./scope.ts";

/**
 * Config-only instructions: each returns the new image config and the
 * history line, or undefined when the instruction is not config-only.
 */
export interface ConfigChange {
  readonly config: ContainerConfig;
  readonly createdBy: string;
  /** MAINTAINER: the image's author from here on (the image config's top-level `author`). */
  readonly author?: string;
}

export function commandArgv(cmd: CommandLine, shell: readonly string[] | undefined): string[] {
  return cmd.form === "exec" ? [...cmd.args] : [...(shell ?? DEFAULT_SHELL), cmd.script];
}

function joinPath(base: string, p: string): string {
  if (p.startsWith("/")) return normalize(p);
  return normalize(`${base.endsWith("/") ? base : `${base}/`}${p}`);
}

/** Cleans a POSIX path like Go's path.Clean, keeping it absolute. */
export function normalize(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join("/")}`;
}

export function resolveWorkdir(current: string | undefined, p: string): string {
  return joinPath(current || "/", p);
}

/**
 * `cmdSet`: whether this stage has its own CMD so far; ENTRYPOINT resets only
 * an inherited CMD (reference: "If CMD is defined from the base image, setting
 * ENTRYPOINT will reset CMD to an empty value").
 */
export function applyConfig(instr: Instruction, config: ContainerConfig, scope: Scope, ex: Expander, cmdSet: boolean): ConfigChange | undefined {
  switch (instr.kind) {
    case "ENV": {
      // Every value expands with the environment from before the instruction
      // (reference: `ENV abc=bye def=$abc` gives def=hello).
      let env = config.Env ?? [];
      const parts: string[] = [];
      for (const kv of instr.pairs) {
        // Names expand too, as BuildKit's EnvCommand.Expand (and LABEL below).
        const key = ex.word({ text: kv.key, span: kv.span }, scope);
        const value = ex.word(kv.value, scope);
        env = envSet(env, key, value);
        parts.push(`${key}=${value}`);
      }
      return { config: { ...config, Env: env }, createdBy: `ENV ${parts.join(" ")}` };
    }
    case "LABEL": {
      const labels = { ...(config.Labels ?? {}) };
      const parts: string[] = [];
      for (const kv of instr.pairs) {
        const key = ex.word({ text: kv.key, span: kv.span }, scope);
        const value = ex.word(kv.value, scope);
        labels[key] = value;
        parts.push(`${key}=${value}`);
      }
      return { config: { ...config, Labels: labels }, createdBy: `LABEL ${parts.join(" ")}` };
    }
    case "WORKDIR": {
      const dir = resolveWorkdir(config.WorkingDir, ex.word(instr.path, scope));
      return { config: { ...config, WorkingDir: dir }, createdBy: `WORKDIR ${dir}` };
    }
    case "USER": {
      const user = ex.word(instr.user, scope);
      return { config: { ...config, User: user }, createdBy: `USER ${user}` };
    }
    case "CMD": {
      const cmd = commandArgv(instr.command, config.Shell);
      return { config: { ...config, Cmd: cmd }, createdBy: `CMD ${goQuoteSlice(cmd)}` };
    }
    case "ENTRYPOINT": {
      const ep = commandArgv(instr.command, config.Shell);
      // Setting ENTRYPOINT resets a CMD inherited from the base image (reference: ENTRYPOINT).
      return { config: { ...config, Entrypoint: ep, Cmd: cmdSet ? config.Cmd : null }, createdBy: `ENTRYPOINT ${goQuoteSlice(ep)}` };
    }
    case "SHELL":
      return { config: { ...config, Shell: [...instr.args] }, createdBy: `SHELL ${goSlice(instr.args)}` };
    case "EXPOSE": {
      const ports = { ...(config.ExposedPorts ?? {}) };
      const added: string[] = [];
      for (const w of instr.ports) {
        for (const p of ex.words(w, scope)) {
          // BuildKit refuses the build for a port that is not one (dispatchExpose's port parser).
          const parsed = parseExposePort(p);
          if (!parsed.ok) {
            ex.error("LW008", w, parsed.message, "EXPOSE takes a port (0–65535) or a range, with an optional /tcp, /udp or /sctp: EXPOSE 80 8000-8010/udp");
            continue;
          }
          for (const key of parsed.value.keys) {
            ports[key] = {};
            added.push(key);
          }
        }
      }
      return { config: { ...config, ExposedPorts: ports }, createdBy: `EXPOSE ${goSet(added)}` };
    }
    case "VOLUME": {
      const vols = { ...(config.Volumes ?? {}) };
      const added: string[] = [];
      for (const w of instr.paths) {
        const v = ex.word(w, scope);
        vols[v] = {};
        added.push(v);
      }
      return { config: { ...config, Volumes: vols }, createdBy: `VOLUME ${goSlice(added)}` };
    }
    case "STOPSIGNAL": {
      const sig = ex.word(instr.signal, scope);
      // BuildKit checks the signal (moby/sys signal.ParseSignal) and keeps the text as written.
      const parsed = parseStopSignal(sig);
      if (!parsed.ok) ex.error("LW009", instr.signal, parsed.message, "use a signal name such as SIGTERM, SIGINT or SIGRTMIN+3, or a signal number such as 15");
      return { config: { ...config, StopSignal: sig }, createdBy: `STOPSIGNAL ${sig}` };
    }
    case "HEALTHCHECK": {
      if (instr.command === undefined) return { config: { ...config, Healthcheck: { Test: ["NONE"] } }, createdBy: healthcheckCreatedBy({ Test: ["NONE"] }) };
      const test = instr.command.form === "exec" ? ["CMD", ...instr.command.args] : ["CMD-SHELL", instr.command.script];
      const hc = {
        Test: test,
        ...(instr.interval !== undefined && { Interval: instr.interval }),
        ...(instr.timeout !== undefined && { Timeout: instr.timeout }),
        ...(instr.startPeriod !== undefined && { StartPeriod: instr.startPeriod }),
        ...(instr.startInterval !== undefined && { StartInterval: instr.startInterval }),
        ...(instr.retries !== undefined && { Retries: instr.retries }),
      };
      return { config: { ...config, Healthcheck: hc }, createdBy: healthcheckCreatedBy(hc) };
    }
    case "ONBUILD":
      return { config: { ...config, OnBuild: [...(config.OnBuild ?? []), instr.expression] }, createdBy: `ONBUILD ${instr.expression}` };
    case "MAINTAINER":
      return { config, createdBy: `MAINTAINER ${instr.name}`, author: instr.name };
    default:
      return undefined;
  }
}
