/**
 * The file tree `strata layers -i` shows: the image's filesystem as of one layer, rebuilt by
 * replaying every layer's changes up to it (analyze.ts `changes`; a removal deletes the path and
 * what is under it), with the selected layer's own changes marked A / C / D — what the HTML page
 * does in its script (cli/layers/html-app.ts), here for the terminal — and the rows a view shows of
 * it: directories open or closed, optionally only the paths the layer changed.
 */
import type { LayerReport } from "../../../image/waste/analyze.ts";

export interface TreeNode {
  readonly name: string;
  dir: boolean;
  size: number;
  mark: "" | "A" | "C" | "D";
  /** It or something under it is marked. */
  changed: boolean;
  readonly children: Map<string, TreeNode>;
}

const node = (name: string, dir: boolean, size = 0, mark: TreeNode["mark"] = ""): TreeNode => ({ name, dir, size, mark, changed: false, children: new Map() });

export function treeAt(layers: readonly LayerReport[], n: number): TreeNode {
  const root = node("", true);
  for (let i = 0; i <= n; i++) {
    for (const c of layers[i]?.changes ?? []) {
      const parts = c.path.split("/").filter(Boolean);
      const name = parts.pop() as string;
      let at: TreeNode | undefined = root;
      for (const p of parts) {
        let next: TreeNode | undefined = at.children.get(p);
        if (next === undefined || !next.dir) {
          // Below a directory removed earlier: nothing left to remove; in the selected layer, shown removed.
          if (c.change === "D" && i < n) {
            at = undefined;
            break;
          }
          next = node(p, true, 0, c.change === "D" ? "D" : "");
          at.children.set(p, next);
        }
        at = next;
      }
      if (at === undefined) continue;
      const mark = i === n ? c.change : "";
      if (c.change === "D") {
        if (i === n) at.children.set(name, node(name, c.type === "dir", c.size, "D"));
        else at.children.delete(name);
        continue;
      }
      const old = at.children.get(name);
      if (c.type === "dir" && old?.dir) {
        if (mark) old.mark = mark;
        continue;
      }
      at.children.set(name, node(name, c.type === "dir", c.type === "dir" ? 0 : c.size, mark));
    }
  }
  // A directory's size is what it holds; a removed entry's bytes count in its own (removed) directory only.
  const sum = (t: TreeNode): number => {
    if (t.dir) {
      let n = 0;
      for (const ch of t.children.values()) {
        const size = sum(ch);
        if (ch.mark !== "D" || t.mark === "D") n += size;
      }
      t.size = n;
    }
    t.changed = t.mark !== "" || [...t.children.values()].some((ch) => ch.changed);
    return t.size;
  };
  sum(root);
  return root;
}

export interface TreeRow {
  readonly path: string;
  readonly depth: number;
  readonly node: TreeNode;
  readonly open: boolean;
}

/** The visible rows: children sorted by name, a directory's only when it is open (all open with `onlyChanges`). */
export function treeRows(root: TreeNode, expanded: ReadonlySet<string>, onlyChanges: boolean): TreeRow[] {
  const out: TreeRow[] = [];
  const walk = (t: TreeNode, path: string, depth: number): void => {
    for (const name of [...t.children.keys()].sort()) {
      const ch = t.children.get(name) as TreeNode;
      if (onlyChanges && !ch.changed) continue;
      const p = `${path}/${name}`;
      const open = ch.dir && (onlyChanges || expanded.has(p));
      out.push({ path: p, depth, node: ch, open });
      if (open) walk(ch, p, depth + 1);
    }
  };
  walk(root, "", 0);
  return out;
}
