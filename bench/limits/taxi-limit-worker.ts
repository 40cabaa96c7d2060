import { readFile } from "node:fs/promises";
import { parentPort, workerData } from "node:worker_threads";
import { InferenceSession } from "onnxruntime-node";
import { z } from "zod";
import { predict, predictionLines, TAXI_MODEL, type TaxiFeeds, taxiFeeds } from "./taxi-model.js";

/**
 * One thread of the limit: holds its share of the files in memory, then on each `run` message scores
 * them (`pipeline`: parse → tensors → model → output text; `inference`: the model alone over tensors
 * built beforehand) and answers with the rows it scored.
 */
const setupSchema = z.object({ files: z.array(z.string()), modelPath: z.string() });
const runSchema = z.object({ kind: z.enum(["pipeline", "inference"]) });

const setup = setupSchema.parse(workerData);
const port = parentPort;
if (!port) throw new Error("taxi-limit-worker runs as a worker thread");
const texts = await Promise.all(setup.files.map((file) => readFile(file, "utf8")));
const feeds: TaxiFeeds[] = texts.map((text, i) => taxiFeeds(text, setup.files[i] ?? "").feeds);
const session = await InferenceSession.create(setup.modelPath ?? TAXI_MODEL, {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
});
port.on("message", async (message: unknown) => {
  const { kind } = runSchema.parse(message);
  let rows = 0;
  let bytes = 0;
  for (const [i, text] of texts.entries()) {
    if (kind === "pipeline") {
      const parsed = taxiFeeds(text, setup.files[i] ?? "");
      const predictions = await predict(session, parsed.feeds);
      bytes += predictionLines(predictions, setup.files[i] ?? "").length;
      rows += parsed.rows;
    } else {
      rows += (await predict(session, feeds[i] ?? {})).length;
    }
  }
  port.postMessage({ rows, bytes });
});
port.postMessage({ ready: true });
