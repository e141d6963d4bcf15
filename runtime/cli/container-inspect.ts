/**
 * docker's `container inspect` JSON for one container, from its record and status: the
 * fields scripts read (`{{.State.Status}}`, `{{.State.ExitCode}}`, `{{.Config.Cmd}}`,
 * `{{.Name}}`, `{{.Image}}`, `{{.Mounts}}`), with docker's names and shapes.
 */
import type { ContainerRecord } from "../container/state.ts";
import type { ContainerStatus } from "../container/status.ts";
import { networkConfigFields, networkHostConfig, networkSettings } from "./network-view.ts";

const ZERO_TIME = "0001-01-01T00:00:00Z";

export function containerInspect(rec: ContainerRecord, s: ContainerStatus): Record<string, unknown> {
  return {
    Id: rec.id,
    Created: rec.created,
    Path: rec.args[0] ?? "",
    Args: rec.args.slice(1),
    State: {
      Status: s.state,
      Running: s.state === "running" || s.state === "paused",
      Paused: s.state === "paused",
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: s.pid ?? 0,
      ExitCode: s.exitCode ?? 0,
      Error: "",
      StartedAt: rec.startedAt ?? ZERO_TIME,
      FinishedAt: s.finishedAt ?? ZERO_TIME,
    },
    Image: rec.imageId,
    Name: `/${rec.name}`,
    RestartCount: 0,
    Driver: "overlay",
    Mounts: rec.binds.map((b) => ({ Type: "bind", Source: b.source, Destination: b.destination, Mode: "", RW: !b.readonly, Propagation: "rprivate" })),
    Config: {
      ...networkConfigFields(rec),
      Domainname: "",
      User: rec.user,
      AttachStdin: rec.interactive,
      AttachStdout: true,
      AttachStderr: true,
      Tty: rec.tty,
      OpenStdin: rec.interactive,
      StdinOnce: false,
      Env: rec.env,
      Cmd: rec.cmd,
      Image: rec.image,
      Volumes: null,
      WorkingDir: rec.workdir,
      Entrypoint: rec.entrypoint,
      OnBuild: null,
      Labels: {},
      StopSignal: rec.stopSignal,
    },
    HostConfig: { Binds: rec.binds.map((b) => `${b.source}:${b.destination}${b.readonly ? ":ro" : ""}`), AutoRemove: rec.autoRemove, ...networkHostConfig(rec) },
    NetworkSettings: networkSettings(rec, s),
  };
}
