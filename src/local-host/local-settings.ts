import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { errors } from "../errors.js";
import { isMissingFile } from "./host-json.js";

const localSettingsSchema = z.object({
  IsEncrypted: z.boolean().optional(),
  Values: z.record(z.string(), z.string()).default({}),
});

/**
 * The app settings of `local.settings.json` (its `Values`), as Core Tools applies them: a variable
 * already set in the environment wins. A missing file gives no settings.
 */
export async function readLocalSettings(appDir: string): Promise<Record<string, string>> {
  const file = join(appDir, "local.settings.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (thrown) {
    if (isMissingFile(thrown)) return {};
    throw thrown;
  }
  const parsed = localSettingsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw errors.invalidConfig(`Invalid ${file}: ${parsed.error.message}`, [
      { path: file, message: parsed.error.message },
    ]);
  }
  if (parsed.data.IsEncrypted) {
    throw errors.invalidConfig(`${file} is encrypted; batchfn's local host reads plain settings only.`, []);
  }
  return parsed.data.Values;
}
