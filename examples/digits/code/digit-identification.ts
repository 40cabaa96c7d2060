/**
 * Scoring script of the digits example, the batchfn counterpart of Azure ML's
 * `digit_identification.py`: each input file is a PNG of one handwritten digit, each output row is
 * `"<file name>: <digit>"`.
 *
 * Images are read as white ink on a black background (like MNIST and sklearn's digits), turned to
 * gray (transparent pixels count as black) and area-averaged to the 8x8 grid the model was trained
 * on, so PNGs of any size work; the committed 8x8 test images go through unchanged.
 *
 * Self-contained on purpose: the engine loads this one file, so it imports only packages and types.
 */
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { PNG } from "pngjs";
import type { ScoringContext } from "../../../src/scoring/runtime.js";

/** Side of the square images the model was trained on. */
const SIDE = 8;
const PIXELS = SIDE * SIDE;
const INPUT = "image";
const OUTPUT = "label";

let session: InferenceSession | undefined;

/** Loads `model.onnx` from the model folder once per worker and checks its input and output names. */
export async function init(context: ScoringContext): Promise<void> {
  const modelPath = join(context.modelDir, "model.onnx");
  const loaded = await InferenceSession.create(modelPath);
  if (!loaded.inputNames.includes(INPUT) || !loaded.outputNames.includes(OUTPUT)) {
    const found = `inputs [${loaded.inputNames.join(", ")}], outputs [${loaded.outputNames.join(", ")}]`;
    await loaded.release();
    throw new Error(`${modelPath}: expected an input '${INPUT}' and an output '${OUTPUT}'; found ${found}.`);
  }
  session = loaded;
  context.logger.info("digits model loaded", { modelPath });
}

/** Classifies every image of the mini-batch in one model call; one row per file. */
export async function run(miniBatch: string[], context: ScoringContext): Promise<string[]> {
  if (session === undefined) throw new Error("digit-identification: run() was called before init().");
  if (miniBatch.length === 0) return [];
  const input = new Float32Array(miniBatch.length * PIXELS);
  for (const [index, file] of miniBatch.entries()) {
    input.set(await readDigit(file), index * PIXELS);
  }
  const outputs = await session.run({ [INPUT]: new Tensor("float32", input, [miniBatch.length, PIXELS]) });
  const labels = outputs[OUTPUT]?.data;
  if (!(labels instanceof BigInt64Array) || labels.length !== miniBatch.length) {
    throw new Error(`model.onnx: output '${OUTPUT}' must hold one int64 label per image.`);
  }
  context.logger.debug("mini-batch classified", { images: miniBatch.length });
  return Array.from(labels, (label, index) => `${basename(miniBatch[index] ?? "")}: ${label}`);
}

/** Releases the model. */
export async function shutdown(): Promise<void> {
  const loaded = session;
  session = undefined;
  await loaded?.release();
}

/** The model input of one PNG file: 64 gray levels in [0, 1], row by row. */
async function readDigit(file: string): Promise<Float32Array> {
  let png: PNG;
  try {
    png = PNG.sync.read(await readFile(file));
  } catch (thrown) {
    const reason = thrown instanceof Error ? thrown.message : String(thrown);
    throw new Error(`${basename(file)}: not a readable PNG image (${reason}).`, { cause: thrown });
  }
  return areaAverage(grayLevels(png), png.width, png.height);
}

/** Gray level in [0, 1] of every pixel of a decoded (RGBA) PNG. */
function grayLevels(png: PNG): Float64Array {
  const gray = new Float64Array(png.width * png.height);
  for (let pixel = 0; pixel < gray.length; pixel++) {
    const r = png.data[pixel * 4] ?? 0;
    const g = png.data[pixel * 4 + 1] ?? 0;
    const b = png.data[pixel * 4 + 2] ?? 0;
    const alpha = png.data[pixel * 4 + 3] ?? 255;
    const level = r === g && g === b ? r : 0.299 * r + 0.587 * g + 0.114 * b;
    gray[pixel] = alpha === 255 ? level / 255 : (level * alpha) / (255 * 255);
  }
  return gray;
}

/** Resamples a `width` x `height` image to SIDE x SIDE, each cell the mean of the area it covers. */
function areaAverage(gray: Float64Array, width: number, height: number): Float32Array {
  const cells = new Float32Array(PIXELS);
  const cellWidth = width / SIDE;
  const cellHeight = height / SIDE;
  for (let row = 0; row < SIDE; row++) {
    const top = row * cellHeight;
    const bottom = top + cellHeight;
    for (let column = 0; column < SIDE; column++) {
      const left = column * cellWidth;
      const right = left + cellWidth;
      let sum = 0;
      for (let y = Math.floor(top); y < Math.ceil(bottom); y++) {
        const coverY = Math.min(y + 1, bottom) - Math.max(y, top);
        for (let x = Math.floor(left); x < Math.ceil(right); x++) {
          const coverX = Math.min(x + 1, right) - Math.max(x, left);
          sum += coverX * coverY * (gray[y * width + x] ?? 0);
        }
      }
      cells[row * SIDE + column] = sum / (cellWidth * cellHeight);
    }
  }
  return cells;
}
