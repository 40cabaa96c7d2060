import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type LocalHostsFile, localHostEntryName, localHostsFileSchema } from "../spec/local-hosts-file.js";

/** What `npm start` records for the CLI: its admin key and the app folder it serves. */
export interface LocalHostRecord {
  url: string;
  adminKey: string;
  appDir: string;
}

/**
 * Records the host's admin key under its URL in the per-user local-hosts file (see
 * spec/local-hosts-file.ts; folder 0700, file 0600, replaced atomically, other hosts' entries
 * kept), and answers how to take it out again: on a clean stop the entry goes, unless another host
 * has since recorded itself at the same URL. A URL off this machine is not recorded.
 */
export async function recordLocalHost(file: string, record: LocalHostRecord): Promise<() => Promise<void>> {
  const name = localHostEntryName(record.url);
  if (!name) return async () => {};
  const hosts = await readHosts(file);
  hosts[name] = { adminKey: record.adminKey, appDir: record.appDir };
  await writeHosts(file, hosts);
  return async () => {
    const now = await readHosts(file);
    if (now[name]?.adminKey !== record.adminKey) return;
    delete now[name];
    await writeHosts(file, now);
  };
}

/** The file's entries; a missing or damaged file has none (it is batchfn's own, rewritten whole). */
async function readHosts(file: string): Promise<LocalHostsFile> {
  try {
    const parsed = localHostsFileSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

async function writeHosts(file: string, hosts: LocalHostsFile): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(hosts, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}
