import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PNG } from "pngjs";
import { repoRoot } from "../harness/host-process.js";
import { generatedFolder } from "./data-folder.js";
import { Prng } from "./prng.js";

/** The digits example's 360 test images, the models for the generated ones. */
const SOURCE = join(repoRoot, "examples", "digits", "data");

/**
 * Writes `count` PNG digits (`digit-00001.png`...) under `bench/.data/digits-<count>/`: the example's
 * test images in turn, each with seeded noise of a few gray levels, so that every file is different
 * and the same on every run.
 */
export function digitsData(count: number, seed = 20240918): Promise<string> {
  return generatedFolder(`digits-${count}`, { count, seed, version: 1 }, async (dir) => {
    const names = (await readdir(SOURCE)).filter((name) => name.endsWith(".png")).sort();
    const sources = await Promise.all(
      names.map(async (name) => PNG.sync.read(await readFile(join(SOURCE, name)))),
    );
    const prng = new Prng(seed);
    for (let i = 0; i < count; i++) {
      const source = sources[i % sources.length];
      if (!source) throw new Error(`no PNG in ${SOURCE}`);
      const image = new PNG({ width: source.width, height: source.height });
      for (let at = 0; at < source.data.length; at += 4) {
        const noise = Math.round(prng.normal(0, 3));
        for (let channel = 0; channel < 3; channel++) {
          image.data[at + channel] = Math.min(255, Math.max(0, (source.data[at + channel] ?? 0) + noise));
        }
        image.data[at + 3] = source.data[at + 3] ?? 255;
      }
      await writeFile(join(dir, digitFileName(i + 1)), PNG.sync.write(image));
    }
  });
}

/** The name of the `index`-th (from 1) generated image. */
export function digitFileName(index: number): string {
  return `digit-${String(index).padStart(5, "0")}.png`;
}
