/**
 * A raw reader of tar headers for the battery's reproducibility cases: each entry's name (PAX
 * `path` or ustar prefix + name), type, numeric fields, the uname/gname fields as stored, and
 * its PAX records. Independent of runtime/layer/ on purpose: the oracle must not share the
 * code it judges. Reads a tar held in memory (a layer of a few KiB, an archive of a few MiB).
 */

export interface RawEntry {
  readonly name: string;
  readonly type: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: number;
  readonly uname: string;
  readonly gname: string;
  /** The PAX records that applied to this entry (an `x` header before it). */
  readonly pax: Readonly<Record<string, string>>;
  readonly data: Buffer;
}

const str = (b: Buffer, off: number, len: number): string => {
  const s = b.subarray(off, off + len);
  const nul = s.indexOf(0);
  return (nul === -1 ? s : s.subarray(0, nul)).toString("utf8");
};
const num = (b: Buffer, off: number, len: number): number => {
  const t = str(b, off, len).trim();
  return t === "" ? 0 : Number.parseInt(t, 8);
};

function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(0x20, pos);
    const len = Number(data.subarray(pos, sp).toString());
    if (!(len > 0)) break;
    const rec = data.subarray(sp + 1, pos + len - 1).toString("utf8");
    const eq = rec.indexOf("=");
    out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

/** Every entry of a tar (PAX headers folded into the entry they describe). */
export function readTar(tar: Buffer): RawEntry[] {
  const out: RawEntry[] = [];
  let pos = 0;
  let pax: Record<string, string> = {};
  while (pos + 512 <= tar.length) {
    const h = tar.subarray(pos, pos + 512);
    if (h.every((b) => b === 0)) break;
    const size = num(h, 124, 12);
    const type = String.fromCharCode(h[156] ?? 0x30);
    const data = tar.subarray(pos + 512, pos + 512 + size);
    pos += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      pax = { ...pax, ...paxRecords(data) };
      continue;
    }
    const prefix = str(h, 345, 155);
    const name = pax.path ?? (prefix === "" ? str(h, 0, 100) : `${prefix}/${str(h, 0, 100)}`);
    out.push({
      name,
      type,
      mode: num(h, 100, 8),
      uid: num(h, 108, 8),
      gid: num(h, 116, 8),
      size: pax.size !== undefined ? Number(pax.size) : size,
      mtime: num(h, 136, 12),
      uname: str(h, 265, 32),
      gname: str(h, 297, 32),
      pax,
      data,
    });
    pax = {};
  }
  return out;
}

/** One file of a tar, by name (a `./` prefix ignored). */
export function tarFile(tar: Buffer, name: string): Buffer {
  const e = readTar(tar).find((x) => x.name.replace(/^\.\//, "") === name);
  if (e === undefined) throw new Error(`${name} is not in the archive`);
  return e.data;
}
