import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { newSecretKey } from "./secret-keys.js";

/** Where the local host's admin key came from. */
export type AdminKeySource = "setting" | "file" | "generated";

export interface LocalAdminKey {
  key: string;
  source: AdminKeySource;
  /** The file the key was read from or written to (not for `setting`). */
  file?: string;
}

const ADMIN_KEY = /^[\x21-\x7e]{16,256}$/;
const localFileSchema = z.looseObject({ adminKey: z.string().optional() });

/**
 * The host admin key on one machine: `BATCHFN_ADMIN_KEY` when set; else the key kept in `file`
 * (`.batchfn/local.json`, `{"adminKey": "..."}`, where the CLI finds it) from an earlier start;
 * else a new one, written there (mode 0600, other fields of the file kept). So a fresh checkout
 * needs no setup, and the key stays the same from one start to the next.
 */
export async function localAdminKey(setting: string | undefined, file: string): Promise<LocalAdminKey> {
  if (setting) return { key: setting, source: "setting" };
  const stored = await readLocalFile(file);
  if (stored.adminKey !== undefined && ADMIN_KEY.test(stored.adminKey)) {
    return { key: stored.adminKey, source: "file", file };
  }
  const key = newSecretKey();
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ ...stored, adminKey: key }, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { key, source: "generated", file };
}

async function readLocalFile(file: string): Promise<z.infer<typeof localFileSchema>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return {};
  }
  try {
    const parsed = localFileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
