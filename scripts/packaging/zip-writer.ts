import { closeSync, openSync, writeSync } from "node:fs";
import * as zlib from "node:zlib";

/** One file of the archive. */
export interface ZipEntry {
  /** Path inside the archive, `/`-separated, no leading `/`. */
  name: string;
  data: Buffer;
  /** Unix permission bits (0o644, 0o755 for executables). */
  mode: number;
}

export interface ZipWriter {
  add(entry: ZipEntry): Promise<void>;
  /** Writes the central directory and closes the file; returns the number of entries. */
  close(): Promise<number>;
}

const DOS_DATE_1980_01_01 = (1 << 5) | 1;
const VERSION = 20;
const MADE_BY_UNIX = (3 << 8) | VERSION;
const UTF8_NAMES = 0x0800;
const MAX_16 = 0xffff;
const MAX_32 = 0xffffffff;

/**
 * A small ZIP writer (deflate, no ZIP64): entries are written one by one, so the archive never sits
 * in memory whole. Timestamps are fixed (1980-01-01) so the same files give the same bytes; Unix
 * permission bits are kept (native tools such as esbuild stay executable). Writes are synchronous:
 * a packaging script has nothing else to do meanwhile, and a run of `npm run package` under a busy
 * test suite once stalled for good between two awaited promise writes.
 */
export async function createZipWriter(path: string): Promise<ZipWriter> {
  const fd = openSync(path, "w");
  const central: Buffer[] = [];
  let offset = 0;
  let count = 0;
  const write = async (buffer: Buffer) => {
    let written = 0;
    while (written < buffer.length) written += writeSync(fd, buffer, written);
    offset += buffer.length;
  };
  return {
    async add({ name, data, mode }) {
      const deflated = zlib.deflateRawSync(data);
      const stored = deflated.length >= data.length;
      const body = stored ? data : deflated;
      const nameBytes = Buffer.from(name, "utf8");
      if (offset > MAX_32 || body.length > MAX_32 || count >= MAX_16) {
        throw new Error(`${path}: too large for a ZIP without ZIP64 (at '${name}')`);
      }
      const fields = { method: stored ? 0 : 8, crc: crc32(data), compressed: body.length, size: data.length };
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(VERSION, 4);
      local.writeUInt16LE(UTF8_NAMES, 6);
      local.writeUInt16LE(fields.method, 8);
      local.writeUInt16LE(0, 10);
      local.writeUInt16LE(DOS_DATE_1980_01_01, 12);
      local.writeUInt32LE(fields.crc, 14);
      local.writeUInt32LE(fields.compressed, 18);
      local.writeUInt32LE(fields.size, 22);
      local.writeUInt16LE(nameBytes.length, 26);
      local.writeUInt16LE(0, 28);
      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE(MADE_BY_UNIX, 4);
      local.copy(header, 6, 4, 30);
      header.writeUInt16LE(0, 32);
      header.writeUInt16LE(0, 34);
      header.writeUInt16LE(0, 36);
      header.writeUInt32LE(((0o100000 | (mode & 0o7777)) << 16) >>> 0, 38);
      header.writeUInt32LE(offset, 42);
      central.push(header, nameBytes);
      count += 1;
      await write(Buffer.concat([local, nameBytes]));
      await write(body);
    },
    async close() {
      const start = offset;
      const directory = Buffer.concat(central);
      await write(directory);
      const end = Buffer.alloc(22);
      end.writeUInt32LE(0x06054b50, 0);
      end.writeUInt16LE(count, 8);
      end.writeUInt16LE(count, 10);
      end.writeUInt32LE(directory.length, 12);
      end.writeUInt32LE(start, 16);
      await write(end);
      closeSync(fd);
      return count;
    },
  };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

const nativeCrc32: ((data: Buffer) => number) | undefined = (zlib as { crc32?: (data: Buffer) => number })
  .crc32;

/** CRC-32 (IEEE) of the data, as ZIP stores it: zlib's when this Node has it (20.15+), else ours. */
export function crc32(data: Buffer): number {
  return nativeCrc32 ? nativeCrc32(data) >>> 0 : tableCrc32(data);
}

/** CRC-32 (IEEE) computed with a lookup table, for Node versions without zlib.crc32. */
export function tableCrc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
