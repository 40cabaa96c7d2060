import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import * as script from "../../../examples/digits/code/digit-identification.js";
import type { Logger, ScoringContext } from "../../../src/scoring/runtime.js";
import { examplePath, readJson } from "./example-files.js";

const dataDir = examplePath("digits", "data");
const metricsSchema = z.object({ testImages: z.number().int(), testAccuracy: z.number() });
const rowPattern = /^(digit-\d{4}\.png): (\d)$/;

function collectingLogger(): Logger & { messages: string[] } {
  const messages: string[] = [];
  const record = (message: string) => {
    messages.push(message);
  };
  return { messages, debug: record, info: record, warn: record, error: record };
}

async function readLabels(): Promise<Map<string, number>> {
  const lines = (await readFile(examplePath("digits", "labels.csv"), "utf8")).trim().split("\n");
  expect(lines[0]).toBe("file,label");
  const entries = lines.slice(1).map((line) => {
    const [file, label] = z.tuple([z.string(), z.coerce.number().int().min(0).max(9)]).parse(line.split(","));
    return [file, label] as const;
  });
  return new Map(entries);
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );
}

/**
 * The 8x8 image at a quarter of its resolution (each 2x2 block averaged), drawn on a `side` x `side`
 * canvas as 4x4 blocks: for side 28 every block is 7x7 pixels, aligned with the 3.5-pixel cells the
 * script averages, so 8 and 28 give the script the same input.
 */
function quarterResolution(png: PNG, side: number): PNG {
  const out = new PNG({ width: side, height: side });
  const block = side / 4;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const bx = Math.floor(x / block) * 2;
      const by = Math.floor(y / block) * 2;
      const corners = [0, 1, 8, 9].map((offset) => png.data[(by * 8 + bx + offset) * 4] ?? 0);
      const level = Math.round(corners.reduce((sum, value) => sum + value, 0) / 4);
      out.data.set([level, level, level, 255], (y * side + x) * 4);
    }
  }
  return out;
}

/** A copy of an 8x8 gray PNG, each pixel repeated `factor` x `factor` times, in RGBA. */
function upscaled(png: PNG, factor: number): Buffer {
  const big = new PNG({ width: png.width * factor, height: png.height * factor });
  for (let y = 0; y < big.height; y++) {
    for (let x = 0; x < big.width; x++) {
      const source = (Math.floor(y / factor) * png.width + Math.floor(x / factor)) * 4;
      png.data.copy(big.data, (y * big.width + x) * 4, source, source + 4);
    }
  }
  return PNG.sync.write(big);
}

describe("digits example scoring script", () => {
  const logger = collectingLogger();
  const context: ScoringContext = {
    modelDir: examplePath("digits", "model"),
    outputDir: tmpdir(),
    logger,
    env: {},
    inputs: {},
    outputs: {},
  };
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "digits-"));
    await script.init(context);
  });

  afterAll(async () => {
    await script.shutdown();
    await rm(scratch, { recursive: true, force: true });
  });

  it("classifies the held-back images in mini-batches of 10 at the accuracy metrics.json records", async () => {
    const labels = await readLabels();
    const metrics = await readJson(examplePath("digits", "model", "metrics.json"), metricsSchema);
    const files = (await readdir(dataDir)).filter((name) => name.endsWith(".png")).sort();
    expect(files).toEqual([...labels.keys()].sort());
    expect(files.length).toBe(metrics.testImages);

    const rows: string[] = [];
    for (const miniBatch of chunks(files, 10)) {
      const result = await script.run(
        miniBatch.map((file) => join(dataDir, file)),
        context,
      );
      expect(result).toHaveLength(miniBatch.length);
      rows.push(...result);
    }

    const predicted = new Map(
      rows.map((row) => {
        const match = rowPattern.exec(row);
        if (match === null) throw new Error(`row '${row}' is not '<file name>: <digit>'`);
        return [match[1], Number(match[2])] as const;
      }),
    );
    expect([...predicted.keys()].sort()).toEqual(files);
    const correct = files.filter((file) => predicted.get(file) === labels.get(file)).length;
    const accuracy = correct / files.length;
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(Math.abs(accuracy - metrics.testAccuracy)).toBeLessThanOrEqual(1 / files.length);
    expect(logger.messages).toContain("digits model loaded");
  });

  it("gives an image upscaled 4x (32x32) the digit of its 8x8 original", async () => {
    const files = (await readdir(dataDir))
      .filter((name) => name.endsWith(".png"))
      .sort()
      .slice(0, 20);
    const originals = await script.run(
      files.map((file) => join(dataDir, file)),
      context,
    );
    const big: string[] = [];
    for (const file of files) {
      const png = PNG.sync.read(await readFile(join(dataDir, file)));
      const path = join(scratch, file);
      await writeFile(path, upscaled(png, 4));
      big.push(path);
    }
    expect(await script.run(big, context)).toEqual(originals);
  });

  it("reads a 28x28 image as the 8x8 gray levels it covers", async () => {
    const files = (await readdir(dataDir))
      .filter((name) => name.endsWith(".png"))
      .sort()
      .slice(0, 20);
    const small: string[] = [];
    const large: string[] = [];
    for (const file of files) {
      const png = PNG.sync.read(await readFile(join(dataDir, file)));
      small.push(join(scratch, `small-${file}`));
      large.push(join(scratch, `large-${file}`));
      await writeFile(small.at(-1) ?? "", PNG.sync.write(quarterResolution(png, 8)));
      await writeFile(large.at(-1) ?? "", PNG.sync.write(quarterResolution(png, 28)));
    }
    const digits = (rows: string[]) => rows.map((row) => row.slice(row.indexOf(": ")));
    const fromSmall = digits(await script.run(small, context));
    expect(digits(await script.run(large, context))).toEqual(fromSmall);
    expect(new Set(fromSmall).size).toBeGreaterThan(1);
  });

  it("reads transparent pixels as black", async () => {
    const original = PNG.sync.read(await readFile(join(dataDir, "digit-0001.png")));
    const transparent = PNG.sync.read(PNG.sync.write(original));
    for (let pixel = 0; pixel < 64; pixel++) transparent.data[pixel * 4 + 3] = 0;
    const black = new PNG({ width: 8, height: 8 });
    for (let pixel = 0; pixel < 64; pixel++) black.data.set([0, 0, 0, 255], pixel * 4);
    const paths = ["original.png", "transparent.png", "black.png"].map((name) => join(scratch, name));
    const [originalPath = "", transparentPath = "", blackPath = ""] = paths;
    await writeFile(originalPath, PNG.sync.write(original));
    await writeFile(transparentPath, PNG.sync.write(transparent));
    await writeFile(blackPath, PNG.sync.write(black));
    const [fromOriginal, fromTransparent, fromBlack] = (await script.run(paths, context)).map((row) =>
      row.slice(row.indexOf(": ")),
    );
    expect(fromTransparent).toBe(fromBlack);
    expect(fromOriginal).not.toBe(fromBlack);
  });

  it("fails the mini-batch with the name of a file that is not a PNG", async () => {
    const broken = join(scratch, "broken.png");
    await writeFile(broken, "not an image");
    await expect(script.run([join(dataDir, "digit-0001.png"), broken], context)).rejects.toThrow(
      /broken\.png: not a readable PNG image/,
    );
  });

  it("returns no rows for an empty mini-batch", async () => {
    await expect(script.run([], context)).resolves.toEqual([]);
  });

  it("refuses to run before init and after shutdown", async () => {
    vi.resetModules();
    const fresh = await import("../../../examples/digits/code/digit-identification.js");
    const image = join(dataDir, "digit-0001.png");
    await expect(fresh.run([image], context)).rejects.toThrow(/before init/);
    await fresh.init(context);
    await expect(fresh.run([image], context)).resolves.toHaveLength(1);
    await fresh.shutdown();
    await expect(fresh.run([image], context)).rejects.toThrow(/before init/);
  });

  it("rejects a model without the 'image' input and 'label' output, naming the model file", async () => {
    vi.resetModules();
    const fresh = await import("../../../examples/digits/code/digit-identification.js");
    await expect(fresh.init({ ...context, modelDir: examplePath("taxi-tip", "model") })).rejects.toThrow(
      /taxi-tip[/\\]model[/\\]model\.onnx: expected an input 'image'/,
    );
  });
});
