import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generatedFolder } from "./data-folder.js";

/** Writes `count` tiny text files (`item-00001.txt`...) under `bench/.data/tiny-<count>/`. */
export function tinyFiles(count: number): Promise<string> {
  return generatedFolder(`tiny-${count}`, { count, version: 1 }, async (dir) => {
    for (let i = 1; i <= count; i++) {
      const name = `item-${String(i).padStart(5, "0")}.txt`;
      await writeFile(join(dir, name), `${i}\n`);
    }
  });
}
