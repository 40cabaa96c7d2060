import { readFile } from "node:fs/promises";
import { inflateRawSync } from "node:zlib";

/** One file read back from a ZIP archive. */
export interface ZipFile {
  name: string;
  data: Buffer;
  /** Unix permission bits from the external attributes (0 when the archive has none). */
  mode: number;
}

/**
 * Reads a whole ZIP archive through its central directory (stored and deflated entries, no ZIP64),
 * checking each entry's CRC-32 against `crc` so a writer bug cannot pass unnoticed.
 */
export async function readZip(path: string, crc: (data: Buffer) => number): Promise<ZipFile[]> {
  const zip = await readFile(path);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error(`${path}: no end of central directory`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files: ZipFile[] = [];
  for (let i = 0; i < count; i += 1) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${path}: bad central header ${i}`);
    const method = zip.readUInt16LE(at + 10);
    const expectedCrc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const external = zip.readUInt32LE(at + 38);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`${path}: bad local header for ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const body = zip.subarray(start, start + compressed);
    const data = method === 0 ? Buffer.from(body) : inflateRawSync(body);
    if (data.length !== size || crc(data) !== expectedCrc) throw new Error(`${path}: ${name} is corrupt`);
    files.push({ name, data, mode: (external >>> 16) & 0o7777 });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}
