/** One-argument and list instructions: WORKDIR, USER, STOPSIGNAL, MAINTAINER, EXPOSE, VOLUME. */
import type {
  ExposeInstruction,
  MaintainerInstruction,
  Node,
  StopSignalInstruction,
  UserInstruction,
  VolumeInstruction,
  WorkdirInstruction,
} from "../ast.ts";
import { report, requireArgs, requireExactlyOne, type TypeContext } from "./context.ts";
import { parseFlags } from "./flags.ts";

export function typeWorkdir(ctx: TypeContext, node: Node): WorkdirInstruction | undefined {
  const ok = parseFlags(ctx, node, {}).ok;
  const path = requireExactlyOne(ctx, node);
  return path === undefined || !ok ? undefined : { kind: "WORKDIR", node, span: node.span, path };
}

export function typeUser(ctx: TypeContext, node: Node): UserInstruction | undefined {
  const ok = parseFlags(ctx, node, {}).ok;
  const user = requireExactlyOne(ctx, node);
  return user === undefined || !ok ? undefined : { kind: "USER", node, span: node.span, user };
}

export function typeStopSignal(ctx: TypeContext, node: Node): StopSignalInstruction | undefined {
  const ok = parseFlags(ctx, node, {}).ok;
  const signal = requireExactlyOne(ctx, node);
  return signal === undefined || !ok ? undefined : { kind: "STOPSIGNAL", node, span: node.span, signal };
}

export function typeMaintainer(ctx: TypeContext, node: Node): MaintainerInstruction | undefined {
  const ok = parseFlags(ctx, node, {}).ok;
  const name = requireExactlyOne(ctx, node);
  return name === undefined || !ok ? undefined : { kind: "MAINTAINER", node, span: node.span, name: name.text };
}

export function typeExpose(ctx: TypeContext, node: Node): ExposeInstruction | undefined {
  const ok = parseFlags(ctx, node, {}).ok;
  if (!requireArgs(ctx, node, 1) || !ok) return undefined;
  return { kind: "EXPOSE", node, span: node.span, ports: node.values };
}

export function typeVolume(ctx: TypeContext, node: Node): VolumeInstruction | undefined {
  const ok = parseFlags(ctx, node, {}).ok;
  if (!requireArgs(ctx, node, 1) || !ok) return undefined;
  for (const v of node.values) {
    if (v.text.trim() === "") return report(ctx, "DF025", "VOLUME specified can not be an empty string", v.span);
  }
  return { kind: "VOLUME", node, span: node.span, paths: node.values };
}
