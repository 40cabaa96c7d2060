import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";

/**
 * The per-user file in which `npm start` records the admin key of each local host it runs, by the
 * host's URL, so that the CLI finds the key from any folder (`<config dir>/local-hosts.json`,
 * mode 0600): `{"http://127.0.0.1:7071": {"adminKey": "...", "appDir": "/path/to/batchfn"}}`.
 * Only loopback URLs are recorded, and the CLI sends a key only to the URL it was recorded for.
 */
export const localHostsFileSchema = z.record(
  z.string(),
  z.looseObject({ adminKey: z.string().min(1), appDir: z.string().optional() }),
);
export type LocalHostsFile = z.infer<typeof localHostsFileSchema>;

/** The folder of batchfn's per-user settings: `BATCHFN_CONFIG_DIR`, else `$XDG_CONFIG_HOME/batchfn`, else `~/.config/batchfn`. */
export function configDir(env: Record<string, string | undefined>): string {
  if (env.BATCHFN_CONFIG_DIR) return env.BATCHFN_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "batchfn");
}

/** Where `npm start` records its admin key for the CLI. */
export function localHostsFilePath(env: Record<string, string | undefined>): string {
  return join(configDir(env), "local-hosts.json");
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * The entry of the file a URL reads (its origin; `localhost` is `127.0.0.1`, where the local host
 * listens), or undefined when the URL is not on this machine: such a URL is never looked up.
 */
export function localHostEntryName(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
  if (!LOOPBACK.has(parsed.hostname)) return undefined;
  if (parsed.hostname === "localhost") parsed.hostname = "127.0.0.1";
  return parsed.origin;
}
