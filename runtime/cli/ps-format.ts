/** One container as docker's ps `--format` sees it (ContainerContext's fields, docker's names). */
import type { ContainerRecord } from "../container/state.ts";
import type { ContainerStatus } from "../container/status.ts";
import { goTimeString } from "./format-fields.ts";
import { timeAgo } from "./format.ts";
import { strictFields } from "./go-template/exec.ts";
import { displayablePorts, networkNames } from "./network-view.ts";

export interface PsColumns {
  readonly id: string;
  readonly command: string;
  readonly status: string;
  readonly now: number;
}

export function psItem(rec: ContainerRecord, s: ContainerStatus, c: PsColumns): object {
  return strictFields(
    {
      ID: c.id,
      Image: rec.image,
      Command: c.command,
      CreatedAt: goTimeString(rec.created),
      RunningFor: timeAgo(rec.created, c.now),
      Ports: displayablePorts(rec, s),
      State: s.state,
      Status: c.status,
      Size: "0B",
      Names: rec.name,
      Labels: "",
      // `{{.Label "key"}}`: one label's value (Strata's containers carry none yet).
      Label: (_key: unknown) => "",
      Mounts: rec.binds.map((b) => b.source).join(","),
      Networks: networkNames(rec),
      LocalVolumes: "0",
    },
    "*formatter.ContainerContext",
  );
}
