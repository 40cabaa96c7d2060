import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The git-ignored folder where the bench writes its generated inputs (`bench/.data`). */
export const DATA_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", ".data");

/**
 * A folder of generated files under `bench/.data`, made once per set of parameters: the marker
 * `.complete` records the parameters, so a later run reuses the folder instead of writing it again,
 * and an interrupted generation (no marker) is started over.
 */
export async function generatedFolder(
  name: string,
  parameters: Record<string, unknown>,
  generate: (dir: string) => Promise<void>,
): Promise<string> {
  const dir = join(DATA_ROOT, name);
  const marker = join(dir, ".complete");
  const wanted = JSON.stringify(parameters);
  const found = await readFile(marker, "utf8").catch(() => undefined);
  if (found === wanted) return dir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await generate(dir);
  await writeFile(marker, wanted);
  return dir;
}
