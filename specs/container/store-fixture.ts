import { afterAll, beforeAll, expect } from "vitest";
import { storeWithBusybox, strata } from "../helpers/strata.ts";
import { mountsUnder, removeAllContainers } from "./helpers.ts";

/**
 * A store with busybox:latest for one describe block's containers (made before its tests);
 * afterwards every container is removed, no mount is left under it, and it is deleted.
 */
export function busyboxStore(prefix: string): { readonly root: string } {
  const store = { root: "" };
  let cleanup = (): void => undefined;
  beforeAll(() => {
    ({ root: store.root, cleanup } = storeWithBusybox(prefix));
  });
  afterAll(() => {
    removeAllContainers(store.root);
    expect(mountsUnder(store.root)).toEqual([]);
    cleanup();
  });
  return store;
}

/** A container's STATUS as `ps -a` prints it ("" when ps does not list it). */
export function psStatus(root: string, name: string): string {
  const line = strata(root, ["ps", "-a", "--format", "{{.Names}}|{{.Status}}"]).stdout.split("\n").find((l) => l.startsWith(`${name}|`));
  return line?.slice(name.length + 1) ?? "";
}
