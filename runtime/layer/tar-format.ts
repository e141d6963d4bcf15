/**
 * The tar header format, both directions, binary-safe.
 *
 * We encode headers ourselves rather than through tar-stream's pack because layer tars need
 * PAX records with binary values (`SCHILY.xattr.security.capability` is a raw
 * `vfs_cap_data` struct) and tar-stream encodes and decodes PAX values as UTF-8 text, which
 * corrupts any byte >= 0x80. Writing is deterministic: ustar headers (prefix/name split for
 * long ASCII names), PAX only when a field does not fit, no uname/gname, no atime/ctime.
 */

export const BLOCK = 512;

export type EntryType = "file" | "link" | "symlink" | "char" | "block" | "dir" | "fifo";

/** One decoded (or to-be-encoded) tar entry, after PAX/GNU extensions are folded in. */
export interface TarEntry {
  name: string;
  type: EntryType;
  /** Permission bits including setuid/setgid/sticky (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch (integer). */
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes (name without the `SCHILY.xattr.` prefix → raw value). */
  xattrs: Map<string, Buffer>;
}

const TYPE_FLAG: Record<EntryType, number> = {
  file: 0x30,
  link: 0x31,
  symlink: 0x32,
  char: 0x33,
  block: 0x34,
  dir: 0x35,
  fifo: 0x36,
};

const MAX_OCTAL_7 = 0o7777777;
const MAX_OCTAL_11 = 0o77777777777;

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f || s.charCodeAt(i) === 0) return false;
  return true;
}

/** Split a name into ustar (prefix, name), or null when it does not fit. */
function splitUstarName(name: string): [string, string] | null {
  if (!isAscii(name)) return null;
  if (name.length <= 100) return ["", name];
  // As Go's archive/tar: the last slash within the first 156 bytes splits prefix and name.
  let length = name.length;
  if (length > 156) length = 156;
  else if (name[length - 1] === "/") length--;
  const i = name.lastIndexOf("/", length - 1);
  const nlen = name.length - i - 1;
  if (i <= 0 || nlen > 100 || nlen === 0 || i > 155) return null;
  return [name.slice(0, i), name.slice(i + 1)];
}

function writeOctal(buf: Buffer, off: number, width: number, value: number): void {
  const s = value.toString(8).padStart(width - 1, "0");
  buf.write(s, off, width - 1, "latin1");
  buf[off + width - 1] = 0;
}

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, "utf8"), value, Buffer.from("\n")]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len), "latin1"), body]);
}

/** One ustar header block: the fields a reader gets back (RawHeader), plus the name's prefix. */
function rawHeader(opts: RawHeader & { prefix: string }): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(opts.name, 0, 100, "utf8");
  writeOctal(h, 100, 8, opts.mode);
  writeOctal(h, 108, 8, opts.uid);
  writeOctal(h, 116, 8, opts.gid);
  writeOctal(h, 124, 12, opts.size);
  writeOctal(h, 136, 12, opts.mtime);
  h[156] = opts.typeflag;
  h.write(opts.linkname, 157, 100, "utf8");
  h.write("ustar\u000000", 257, 8, "latin1");
  writeOctal(h, 329, 8, opts.devmajor);
  writeOctal(h, 337, 8, opts.devminor);
  h.write(opts.prefix, 345, 155, "utf8");
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i] as number;
  h.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "latin1");
  return h;
}

/** Zero bytes needed after `size` bytes of data to reach a block boundary. */
export function padding(size: number): number {
  const r = size % BLOCK;
  return r === 0 ? 0 : BLOCK - r;
}

/**
 * Encode the header block(s) for an entry: an optional PAX extended header (with its data,
 * padded) followed by the ustar header. The data itself is not included.
 */
export function encodeHeader(e: TarEntry): Buffer {
  const pax: Buffer[] = [];
  const split = splitUstarName(e.name);
  if (split === null) pax.push(paxRecord("path", Buffer.from(e.name, "utf8")));
  const linkOk = isAscii(e.linkname) && e.linkname.length <= 100;
  if (!linkOk) pax.push(paxRecord("linkpath", Buffer.from(e.linkname, "utf8")));
  if (e.uid > MAX_OCTAL_7) pax.push(paxRecord("uid", Buffer.from(String(e.uid))));
  if (e.gid > MAX_OCTAL_7) pax.push(paxRecord("gid", Buffer.from(String(e.gid))));
  if (e.size > MAX_OCTAL_11) pax.push(paxRecord("size", Buffer.from(String(e.size))));
  const mtimeOk = e.mtime >= 0 && e.mtime <= MAX_OCTAL_11;
  if (!mtimeOk) pax.push(paxRecord("mtime", Buffer.from(String(e.mtime))));
  const xattrNames = [...e.xattrs.keys()].sort();
  for (const k of xattrNames) pax.push(paxRecord(`SCHILY.xattr.${k}`, e.xattrs.get(k) as Buffer));

  const [prefix, name] = split ?? ["", asciiPlaceholder(e.name)];
  const main = rawHeader({
    name,
    prefix,
    mode: e.mode & 0o7777,
    uid: e.uid > MAX_OCTAL_7 ? 0 : e.uid,
    gid: e.gid > MAX_OCTAL_7 ? 0 : e.gid,
    size: e.size > MAX_OCTAL_11 ? 0 : e.size,
    mtime: mtimeOk ? e.mtime : 0,
    typeflag: TYPE_FLAG[e.type],
    linkname: linkOk ? e.linkname : asciiPlaceholder(e.linkname),
    devmajor: Math.min(e.devmajor, MAX_OCTAL_7),
    devminor: Math.min(e.devminor, MAX_OCTAL_7),
  });
  if (pax.length === 0) return main;
  const data = Buffer.concat(pax);
  const paxHeader = rawHeader({
    name: "PaxHeader",
    prefix: "",
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: data.length,
    mtime: mtimeOk ? e.mtime : 0,
    typeflag: 0x78, // 'x'
    linkname: "",
    devmajor: 0,
    devminor: 0,
  });
  return Buffer.concat([paxHeader, data, Buffer.alloc(padding(data.length)), main]);
}

/** The ASCII-only, ≤100-byte stand-in written in the ustar field when PAX carries the real value. */
function asciiPlaceholder(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    out += c > 0x1f && c < 0x7f ? ch : "_";
    if (out.length >= 100) break;
  }
  return out.slice(0, 100);
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** A raw header block as read, before extensions are applied. */
export interface RawHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: number;
  linkname: string;
  devmajor: number;
  devminor: number;
}

function cstr(buf: Buffer, off: number, len: number): string {
  let end = off;
  const max = off + len;
  while (end < max && buf[end] !== 0) end++;
  return buf.toString("utf8", off, end);
}

function parseNumeric(buf: Buffer, off: number, len: number): number {
  const first = buf[off] as number;
  if (first & 0x80) {
    // base-256; 0xff marks a negative number.
    const negative = first === 0xff;
    let v = 0;
    for (let i = off + 1; i < off + len; i++) {
      const b = buf[i] as number;
      v = v * 256 + (negative ? 0xff - b : b);
    }
    return negative ? -(v + 1) : v;
  }
  let v = 0;
  let seen = false;
  for (let i = off; i < off + len; i++) {
    const c = buf[i] as number;
    if (c === 0 || (c === 0x20 && seen)) break;
    if (c === 0x20) continue;
    if (c < 0x30 || c > 0x37) return Number.NaN;
    v = v * 8 + (c - 0x30);
    seen = true;
  }
  return v;
}

/** True when the block is all zeros (an end-of-archive marker). */
export function isZeroBlock(buf: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Decode a header block; returns null on a checksum mismatch. */
export function decodeHeader(h: Buffer): RawHeader | null {
  const stored = parseNumeric(h, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (h[i] as number);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (stored !== unsigned && stored !== signed) return null;
  let name = cstr(h, 0, 100);
  const magic = h.toString("latin1", 257, 263);
  if (magic === "ustar\u0000" && h[345] !== 0) name = `${cstr(h, 345, 155)}/${name}`;
  return {
    name,
    mode: parseNumeric(h, 100, 8),
    uid: parseNumeric(h, 108, 8),
    gid: parseNumeric(h, 116, 8),
    size: parseNumeric(h, 124, 12),
    mtime: parseNumeric(h, 136, 12),
    typeflag: h[156] as number,
    linkname: cstr(h, 157, 100),
    devmajor: parseNumeric(h, 329, 8),
    devminor: parseNumeric(h, 337, 8),
  };
}

/** Parse PAX extended header data into key → raw value (binary-safe). */
export function decodePax(data: Buffer): Map<string, Buffer> | null {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off < data.length) {
    if (data[off] === 0) break; // trailing NUL padding some writers leave
    const sp = data.indexOf(0x20, off);
    if (sp < 0) return null;
    const len = Number.parseInt(data.toString("latin1", off, sp), 10);
    if (!Number.isSafeInteger(len) || len <= sp - off || off + len > data.length) return null;
    const rec = data.subarray(sp + 1, off + len);
    const eq = rec.indexOf(0x3d);
    if (eq < 0 || rec[rec.length - 1] !== 0x0a) return null;
    out.set(rec.toString("utf8", 0, eq), rec.subarray(eq + 1, rec.length - 1));
    off += len;
  }
  return out;
}
