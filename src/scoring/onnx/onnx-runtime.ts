import { basename } from "node:path";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { z } from "zod";
import { BatchfnError, ensureError, errors } from "../../errors.js";
import type { ItemFailure, ScoredRow } from "../../io/output/scored-rows.js";
import { readTable } from "../../io/tabular/read-table.js";
import { tabularFormatOf } from "../../io/tabular/tabular-format.js";
import type {
  MiniBatchFile,
  MiniBatchInput,
  RuntimeResult,
  RuntimeSpec,
  ScoringContext,
  ScoringRuntime,
} from "../runtime.js";
import { type FeedPlan, planFeeds } from "./feed-plan.js";
import { buildInputs, type InputData } from "./input-tensors.js";
import { inspectModel } from "./inspect-model.js";
import {
  type OutputColumn,
  outputColumns,
  type PredictionBatch,
  predictionBatch,
  predictionColumnNames,
  predictionRecords,
  predictionText,
} from "./predictions.js";

/**
 * Tuning knobs, read from the deployment's environment variables. Threads default to 1 because
 * parallelism comes from several workers (max_concurrency_per_instance); a worker with one busy
 * thread per core is what the host's cores can carry.
 */
const settingsSchema = z.object({
  BATCHFN_ONNX_BATCH_ROWS: z.coerce.number().int().min(1).default(10_000),
  BATCHFN_ONNX_THREADS: z.coerce.number().int().min(0).default(1),
});

/**
 * The no-code runtime for ONNX and MLflow-ONNX models: loads the model once, then scores every
 * tabular file (CSV, parquet, JSON lines) of a mini-batch in batches of rows, giving one record per
 * row: `row` (index in the original file, from 0), the prediction column(s) (see `outputColumns`)
 * and `file_name`. A file that cannot be scored (unsupported type, unreadable, missing column, bad
 * value, model error) fails alone: it is recorded in `failedItems` (counting its rows when it is a
 * row range, else 1) while the other files of the mini-batch are still scored. Azure ML fails the
 * whole job on an unsupported file; batchfn fails the item and lets `error_threshold` decide.
 */
export async function createOnnxRuntime(
  spec: Extract<RuntimeSpec, { kind: "onnx" }>,
  context: ScoringContext,
): Promise<ScoringRuntime> {
  const settings = readSettings(spec.env);
  const model = await inspectModel(spec.modelDir);
  const label = `ONNX model '${basename(model.modelPath)}'`;
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(model.modelPath, {
      intraOpNumThreads: settings.BATCHFN_ONNX_THREADS,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
    });
  } catch (thrown) {
    throw errors.invalidModel(`${label} cannot be loaded by onnxruntime: ${ensureError(thrown).message}`);
  }
  const plan = planFeeds(session.inputMetadata, model.signature, label);
  const fetches = session.outputMetadata.filter((output) => output.isTensor).map((output) => output.name);
  if (fetches.length === 0) {
    await session.release();
    throw errors.invalidModel(`${label} has no tensor output to write as predictions.`);
  }
  const columns = outputColumns(fetches);
  context.logger.info(`Loaded ${label}: ${plan.description}; outputs ${fetches.join(", ")}.`, {
    model: model.modelPath,
    source: model.source,
  });
  const scorer = { session, plan, columns, fetches, batchRows: settings.BATCHFN_ONNX_BATCH_ROWS };

  return {
    async run(input: MiniBatchInput): Promise<RuntimeResult> {
      const format = input.outputFormat;
      const rows: ScoredRow[] = [];
      let text = "";
      let textRows = 0;
      let columns: string[] | undefined;
      const failedItems: ItemFailure[] = [];
      let succeededItems = 0;
      for (const file of input.files) {
        const count = file.rowCount ?? 1;
        try {
          const batches = await scoreFile(scorer, file);
          // append_row: the text straight from the tensors (what the worker would format the
          // records into), so no record is made per row
          for (const batch of batches) {
            if (format === undefined) {
              for (const row of predictionRecords(batch)) rows.push(row);
              continue;
            }
            if (batch.count === 0) continue;
            columns ??= predictionColumnNames(batch);
            text += predictionText(batch, format);
            textRows += batch.count;
          }
          succeededItems += count;
        } catch (thrown) {
          const error =
            thrown instanceof BatchfnError
              ? thrown
              : errors.modelRunFailed(`File '${file.name}': ${ensureError(thrown).message}`, thrown);
          failedItems.push({ item: file.name, count, code: error.code, message: error.message });
          context.logger.warn(error.message, { item: file.name, code: error.code });
        }
      }
      if (format === undefined) return { rows, succeededItems, failedItems };
      const formatted = { text, rows: textRows, ...(columns ? { columns } : {}) };
      return { rows: [], succeededItems, failedItems, formatted };
    },
    async shutdown(): Promise<void> {
      await session.release();
    },
  };
}

interface Scorer {
  session: InferenceSession;
  plan: FeedPlan;
  columns: OutputColumn[];
  fetches: string[];
  batchRows: number;
}

/** Scores one file in batches of rows; a failure anywhere fails the whole file (nothing of it is kept). */
async function scoreFile(scorer: Scorer, file: MiniBatchFile): Promise<PredictionBatch[]> {
  const format = tabularFormatOf(file.path) ?? tabularFormatOf(file.name);
  if (format === undefined) {
    throw errors.unsupportedFileType(
      `File '${file.name}' is not a tabular file (.csv, .parquet, .pqt, .jsonl): the no-code ONNX runtime scores tabular files only; give the deployment a scoring script for other files.`,
    );
  }
  const { plan } = scorer;
  const table = await readTable(file.path, {
    format,
    bytes: file.data,
    displayName: file.name,
    rowOffset: file.rowOffset,
    stringColumns: plan.stringColumns,
  });
  const inputs = buildInputs(plan, table, { name: file.name, rowOffset: file.rowOffset });
  const total = table.rowCount;
  const batch = plan.fixedBatch ?? scorer.batchRows;
  if (plan.fixedBatch !== undefined && total % plan.fixedBatch !== 0) {
    throw errors.inputSchemaMismatch(
      `File '${file.name}' has ${total} rows, but the model takes batches of exactly ${plan.fixedBatch} rows.`,
    );
  }
  const batches: PredictionBatch[] = [];
  for (let start = 0; start < total; start += batch) {
    const count = Math.min(batch, total - start);
    const feeds: Record<string, Tensor> = {};
    for (const input of inputs) feeds[input.input] = sliceTensor(input, start, count);
    let results: Awaited<ReturnType<InferenceSession["run"]>>;
    try {
      results = await scorer.session.run(feeds, scorer.fetches);
    } catch (thrown) {
      const first = file.rowOffset + start + 1;
      throw errors.modelRunFailed(
        `File '${file.name}', rows ${first}-${first + count - 1}: the model failed: ${ensureError(thrown).message}`,
        thrown,
      );
    }
    batches.push(
      predictionBatch({
        results,
        columns: scorer.columns,
        firstRow: file.rowOffset + start,
        count,
        fileName: file.name,
      }),
    );
  }
  return batches;
}

function sliceTensor(input: InputData, start: number, count: number): Tensor {
  const from = start * input.width;
  const to = (start + count) * input.width;
  const data = Array.isArray(input.data) ? input.data.slice(from, to) : input.data.subarray(from, to);
  return new Tensor(input.type, data, input.rank === 1 ? [count] : [count, input.width]);
}

function readSettings(env: Record<string, string>): z.infer<typeof settingsSchema> {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    throw errors.invalidSpec(
      "Invalid ONNX runtime settings in the deployment's environment_variables.",
      parsed.error.issues.map((issue) => ({ path: String(issue.path[0]), message: issue.message })),
    );
  }
  return parsed.data;
}
