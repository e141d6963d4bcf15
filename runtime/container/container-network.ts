/**
 * Between a container's record and network/ (which knows no record: the folders import one
 * way): the network a `create` records, with the image's EXPOSE ports and, for
 * `container:NAME`, the ID NAME has (a container that does not exist is docker's "No such
 * container", exit 125 as docker run's); and at each start the target setupNetwork works on, with the joined container's
 * pid while runc says it runs.
 */
import type { Store } from "../store/store.ts";
import { DEFAULT_NETWORK, type NetworkConfig, type NetworkRequest, isContainerMode, networkConfig } from "./network/config.ts";
import type { NetworkTarget } from "./network/setup.ts";
import { runcState } from "./runc-ops.ts";
import { type ContainerRecord, ContainerPaths, findContainer, NoSuchContainerError, runcId } from "./state.ts";
import { StrataError } from "../errors/error.ts";

export async function recordedNetwork(store: Store, request: NetworkRequest | undefined, imageExposed: Record<string, unknown> | undefined): Promise<NetworkConfig> {
  const r = request ?? DEFAULT_NETWORK;
  if (!isContainerMode(r.mode)) return networkConfig(r, imageExposed);
  const ref = r.mode.slice("container:".length);
  const other = await findContainer(store, ref).catch((e: unknown) => {
    // docker run's 125, in its words, rather than the 1 of a command naming a missing container.
    throw e instanceof NoSuchContainerError ? new StrataError("NET_JOIN", `No such container: ${ref}`) : e;
  });
  return networkConfig(r, imageExposed, other.id);
}

export async function networkTarget(store: Store, rec: ContainerRecord): Promise<NetworkTarget> {
  const root = store.layout.root;
  const joinId = rec.network?.joinId;
  let joined: NetworkTarget["joined"];
  if (joinId !== undefined) {
    const st = await runcState(store.layout.runc, runcId(joinId));
    const other = await findContainer(store, joinId).catch(() => undefined);
    if (other !== undefined && st !== undefined && (st.status === "running" || st.status === "paused") && st.pid > 0) {
      joined = { pid: st.pid, dir: new ContainerPaths(root, joinId).dir, hostname: other.networkState?.hostname ?? other.network?.hostname ?? joinId.slice(0, 12) };
    }
  }
  return { id: rec.id, dir: new ContainerPaths(root, rec.id).dir, network: rec.network, joined };
}
