import { execSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";
import { ensureError, errors } from "../../errors.js";
import { localHostEntryName, localHostsFilePath, localHostsFileSchema } from "../../spec/local-hosts-file.js";

/** Where the CLI reads its settings from: the environment and the working directory. */
export interface CredentialSource {
  env: Record<string, string | undefined>;
  cwd: string;
}

/** The headers that authenticate a request, and where they came from (for `--debug`). */
export interface Credentials {
  headers: Record<string, string>;
  source: string;
}

const localFileSchema = z.object({ adminKey: z.string().min(1) });

/**
 * The credentials the CLI sends, first found wins: `BATCHFN_KEY` (`x-functions-key`),
 * `BATCHFN_TOKEN` or the output of `BATCHFN_TOKEN_COMMAND` (`Authorization: Bearer`), and, for a
 * server on this machine only, the local host's admin key: the one `npm start` recorded for this
 * very URL in the per-user local-hosts file, else `.batchfn/local.json` in the working directory or
 * one of its parents. Nothing when none is found.
 */
export async function resolveCredentials(source: CredentialSource, serverUrl: string): Promise<Credentials> {
  const { env } = source;
  const key = env.BATCHFN_KEY?.trim();
  if (key) return { headers: { "x-functions-key": key }, source: "BATCHFN_KEY" };
  const token = env.BATCHFN_TOKEN?.trim();
  if (token) return { headers: { authorization: `Bearer ${token}` }, source: "BATCHFN_TOKEN" };
  const command = env.BATCHFN_TOKEN_COMMAND?.trim();
  if (command) {
    return {
      headers: { authorization: `Bearer ${runTokenCommand(command, source)}` },
      source: "BATCHFN_TOKEN_COMMAND",
    };
  }
  const entry = localHostEntryName(serverUrl);
  if (!entry) return { headers: {}, source: "none" };
  const recorded = await findRecordedKey(localHostsFilePath(env), entry);
  if (recorded) return { headers: { "x-functions-key": recorded.key }, source: recorded.source };
  const local = await findLocalKey(source.cwd);
  if (local) return { headers: { "x-functions-key": local.key }, source: local.file };
  return { headers: {}, source: "none" };
}

function runTokenCommand(command: string, source: CredentialSource): string {
  let output: string;
  try {
    output = execSync(command, {
      cwd: source.cwd,
      env: source.env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (thrown) {
    throw errors.invalidParameter(
      "BATCHFN_TOKEN_COMMAND",
      `failed: '${command}' (${firstLine(ensureError(thrown).message)})`,
    );
  }
  const token = output.trim();
  if (token === "" || /\s/.test(token)) {
    throw errors.invalidParameter(
      "BATCHFN_TOKEN_COMMAND",
      `must print one token and nothing else; '${command}' printed ${token === "" ? "nothing" : "several words"}`,
    );
  }
  return token;
}

/** The admin key `npm start` recorded for the URL `entry` in the per-user file `file`. */
async function findRecordedKey(
  file: string,
  entry: string,
): Promise<{ key: string; source: string } | undefined> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const parsed = localHostsFileSchema.safeParse(parseJson(text));
  if (!parsed.success) {
    throw errors.invalidParameter(file, "is not a file npm start wrote; delete it and start the app again");
  }
  const key = parsed.data[entry]?.adminKey;
  return key === undefined ? undefined : { key, source: `${file} (${entry})` };
}

async function findLocalKey(cwd: string): Promise<{ key: string; file: string } | undefined> {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const file = join(dir, ".batchfn", "local.json");
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text !== undefined) {
      const parsed = localFileSchema.safeParse(parseJson(text));
      if (!parsed.success) {
        throw errors.invalidParameter(file, 'is not {"adminKey": "..."}; delete it or fix it');
      }
      return { key: parsed.data.adminKey, file };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
