/**
 * The image's filesystem as its layers build it up, held as paths and sizes only: for each path
 * the entry type, the size of its content and the layer that wrote it. analyze.ts applies each
 * layer to it as an overlay mount would (OCI image-spec layer.md): first the layer's whiteouts and
 * opaque markers against what the layers below made, then its entries in order — a directory over a
 * directory merges, anything else replaces what was there (a directory's whole subtree with it),
 * and a path under a non-directory turns that one into a directory.
 *
 * Every file that leaves the tree is reported to `gone` with how it left, so the caller can count
 * it as wasted (its bytes stay in the layer that added them).
 */
import type { EntryType } from "../../layer/tar-format.ts";

export interface Node {
  readonly type: EntryType;
  readonly size: number;
  /** The layer that wrote this entry (or made the directory implicitly). */
  readonly layer: number;
  readonly children?: Map<string, Node>;
}

/** A non-directory entry that left the tree: deleted by a whiteout or opaque marker, or replaced by a later entry at its path or above it. */
export interface Gone {
  readonly path: string;
  readonly node: Node;
  readonly how: "deleted" | "replaced";
}

const dir = (layer: number): Node => ({ type: "dir", size: 0, layer, children: new Map() });

export class FileTree {
  readonly root: Node = dir(-1);

  /** The node at `path`, if there is one ("" is the root). */
  get(path: string): Node | undefined {
    let n: Node | undefined = this.root;
    if (path === "") return n;
    for (const c of path.split("/")) {
      n = n.children?.get(c);
      if (n === undefined) return undefined;
    }
    return n;
  }

  /** Every non-directory under `node` (itself, when it is one), as paths under `path`. */
  static *leaves(path: string, node: Node): Generator<[string, Node]> {
    if (node.children === undefined) {
      yield [path, node];
      return;
    }
    for (const [name, child] of node.children) yield* FileTree.leaves(path === "" ? name : `${path}/${name}`, child);
  }

  #drop(path: string, node: Node, how: Gone["how"], gone: (g: Gone) => void): void {
    for (const [p, n] of FileTree.leaves(path, node)) gone({ path: p, node: n, how });
  }

  /** A whiteout: `path` and everything under it go. */
  remove(path: string, gone: (g: Gone) => void): void {
    const i = path.lastIndexOf("/");
    const parent = this.get(i < 0 ? "" : path.slice(0, i));
    const name = path.slice(i + 1);
    const node = parent?.children?.get(name);
    if (node === undefined || parent === undefined) return;
    parent.children?.delete(name);
    this.#drop(path, node, "deleted", gone);
  }

  /** An opaque marker: what the directory held goes, the directory stays. */
  clear(path: string, gone: (g: Gone) => void): void {
    const node = this.get(path);
    if (node?.children === undefined) return;
    for (const [name, child] of node.children) this.#drop(path === "" ? name : `${path}/${name}`, child, "deleted", gone);
    node.children.clear();
  }

  /** An entry of layer `layer` at `path`; what it replaced is reported, and returned (undefined: the path is new). */
  put(path: string, type: EntryType, size: number, layer: number, gone: (g: Gone) => void): Node | undefined {
    const parts = path.split("/");
    const name = parts.pop() as string;
    let at = this.root;
    let walked = "";
    for (const c of parts) {
      walked = walked === "" ? c : `${walked}/${c}`;
      const children = at.children as Map<string, Node>;
      let next = children.get(c);
      if (next?.children === undefined) {
        if (next !== undefined) this.#drop(walked, next, "replaced", gone);
        next = dir(layer);
        children.set(c, next);
      }
      at = next;
    }
    const children = at.children as Map<string, Node>;
    const old = children.get(name);
    if (type === "dir" && old?.children !== undefined) {
      children.set(name, { type, size, layer, children: old.children });
      return old;
    }
    if (old !== undefined) this.#drop(path, old, "replaced", gone);
    children.set(name, type === "dir" ? dir(layer) : { type, size, layer });
    return old;
  }
}
