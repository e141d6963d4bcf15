/**
 * docker's field and column names for `--format` (docker/cli cli/command/formatter): the
 * header each field heads in a `table` format, and Go's time formats of the CreatedAt fields.
 */
import { GoNil } from "./go-template/value.ts";

/** `images` (imageContext). */
export const IMAGE_HEADERS = {
  ID: "IMAGE ID",
  Repository: "REPOSITORY",
  Tag: "TAG",
  Digest: "DIGEST",
  CreatedSince: "CREATED",
  CreatedAt: "CREATED AT",
  Size: "SIZE",
  Containers: "CONTAINERS",
  SharedSize: "SHARED SIZE",
  UniqueSize: "UNIQUE SIZE",
  VirtualSize: "VIRTUAL SIZE",
};

/** docker's default `images` tables (imageContext's defaultImageTableFormat…WithDigest). */
export const IMAGE_TABLE = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}";
export const IMAGE_TABLE_WITH_DIGEST = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}";

/** `history` (historyContext). */
export const HISTORY_HEADERS = { ID: "IMAGE", CreatedSince: "CREATED", CreatedAt: "CREATED AT", CreatedBy: "CREATED BY", Size: "SIZE", Comment: "COMMENT" };

/** docker's default `history` table (defaultHistoryTableFormat). */
export const HISTORY_TABLE = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";

/** `ps` (ContainerContext). */
export const CONTAINER_HEADERS = {
  ID: "CONTAINER ID",
  Image: "IMAGE",
  Command: "COMMAND",
  CreatedAt: "CREATED AT",
  RunningFor: "CREATED",
  Ports: "PORTS",
  State: "STATE",
  Status: "STATUS",
  Size: "SIZE",
  Names: "NAMES",
  Labels: "LABELS",
  Mounts: "MOUNTS",
  Networks: "NETWORKS",
  LocalVolumes: "LOCAL VOLUMES",
};

/** `stats` (statsContext), and its default table (docker's defaultStatsTableFormat). */
export const STATS_HEADERS = {
  Container: "CONTAINER",
  Name: "NAME",
  ID: "CONTAINER ID",
  CPUPerc: "CPU %",
  MemUsage: "MEM USAGE / LIMIT",
  MemPerc: "MEM %",
  NetIO: "NET I/O",
  BlockIO: "BLOCK I/O",
  PIDs: "PIDS",
};
export const STATS_TABLE = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";
/** docker's default `ps` table (defaultContainerTableFormat). */
export const CONTAINER_TABLE = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

/** `system df` (diskUsageContext's rows). */
export const DISK_USAGE_HEADERS = { Type: "TYPE", TotalCount: "TOTAL", Active: "ACTIVE", Size: "SIZE", Reclaimable: "RECLAIMABLE" };

/** docker's default `system df` table (defaultDiskUsageTableFormat). */
export const DISK_USAGE_TABLE = "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}";

/** Go's time.Time.String() in UTC, docker's images/ps CreatedAt: `2024-05-01 10:00:00 +0000 UTC`. */
export function goTimeString(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : `${d.toISOString().slice(0, 19).replace("T", " ")} +0000 UTC`;
}

/** time.RFC3339 in UTC, docker's history CreatedAt: `2024-05-01T10:00:00Z`. */
export function goRfc3339(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : `${d.toISOString().slice(0, 19)}Z`;
}

export const SLICE = new GoNil("slice");
export const MAP = new GoNil("map");

/**
 * Gives `value` the zero values a Go struct would have for the fields JSON left out or null
 * (`""`, a nil slice, a nil map), so `{{.Config.User}}` prints "" and `{{.Config.Entrypoint}}`
 * `[]` as docker's typed inspect does. The added fields are not enumerable: `{{json .}}` and
 * the default output stay as the JSON was.
 */
export function withZeroValues<T extends object>(value: T, zeros: Readonly<Record<string, unknown>>): T {
  const rec = value as Record<string, unknown>;
  for (const [k, zero] of Object.entries(zeros)) {
    if (rec[k] === null && zero instanceof GoNil) rec[k] = zero;
    else if (!Object.hasOwn(rec, k)) Object.defineProperty(rec, k, { value: zero, enumerable: false });
  }
  return value;
}

/** The fields of docker's image and container Config (container.Config / DockerOCIImageConfig). */
export const CONFIG_ZEROS = {
  Hostname: "",
  Domainname: "",
  User: "",
  AttachStdin: false,
  AttachStdout: false,
  AttachStderr: false,
  ExposedPorts: MAP,
  Tty: false,
  OpenStdin: false,
  StdinOnce: false,
  Env: SLICE,
  Cmd: SLICE,
  Image: "",
  Volumes: MAP,
  WorkingDir: "",
  Entrypoint: SLICE,
  OnBuild: SLICE,
  Labels: MAP,
  StopSignal: "",
  Shell: SLICE,
};
