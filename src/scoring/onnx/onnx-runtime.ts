import { basename } from "node:path";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { z } from "zod";
import { BatchfnError, ensureError, errors } from "../../errors.js";
import { batchRecords } from "../../io/output/batch-text.js";
import { piecesFromBatches } from "../../io/output/output-pieces.js";
import type { BatchColumn, RowBatch } from "../../io/output/row-batch.js";
import type { ItemFailure } from "../../io/output/scored-rows.js";
import { readTable } from "../../io/tabular/read-table.js";
import { tabularFormatOf } from "../../io/tabular/tabular-format.js";
import { joinedName, type PassThrough } from "../pass-through/pass-through.js";
import { readPassThrough } from "../pass-through/read-pass-through.js";
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
  onnxValueType,
  outputColumns,
  type PredictionBatch,
  predictionBatch,
  predictionNames,
  predictionRows,
  unsupportedParquetOutput,
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
  const outputs = new Map(session.outputMetadata.map((output) => [output.name, output]));
  context.logger.info(`Loaded ${label}: ${plan.description}; outputs ${fetches.join(", ")}.`, {
    model: model.modelPath,
    source: model.source,
  });
  const scorer: Scorer = {
    session,
    plan,
    columns,
    fetches,
    batchRows: settings.BATCHFN_ONNX_BATCH_ROWS,
    types: fetches.map((name) => {
      const output = outputs.get(name);
      if (!output?.isTensor) return { name, type: "unknown", width: 1 };
      const [, width] = output.shape;
      return {
        name,
        type: output.type,
        width: output.shape.length === 2 && typeof width === "number" ? width : 1,
      };
    }),
  };

  return {
    async run(input: MiniBatchInput): Promise<RuntimeResult> {
      const request = input.output;
      if (request?.format === "parquet") checkParquetTypes(scorer, label);
      const batches: RowBatch[] = [];
      const failedItems: ItemFailure[] = [];
      let succeededItems = 0;
      for (const file of input.files) {
        const count = file.rowCount ?? 1;
        try {
          batches.push(...(await scoreFile(scorer, file, input.passThrough)));
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
      if (request === undefined) return { rows: batches.flatMap(batchRecords), succeededItems, failedItems };
      // append_row: the output written straight from the tensors, so no record is made per row
      const pieces = piecesFromBatches(batches, request, input.index);
      return { rows: [], succeededItems, failedItems, pieces };
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
  /** The element type of each fetched output, and its values per row when its shape says. */
  types: Array<{ name: string; type: string; width: number }>;
}

/** Parquet output needs every output's type to have a Parquet type (`onnxValueType`). */
function checkParquetTypes(scorer: Scorer, label: string): void {
  const unsupported = scorer.types.find((output) => onnxValueType(output.type) === undefined);
  if (unsupported) throw unsupportedParquetOutput(label, unsupported);
}

/**
 * Scores one file in batches of rows, each joined with the file's pass-through columns; a failure
 * anywhere fails the whole file (nothing of it is kept). A file without rows gives one empty batch,
 * so its columns are known.
 */
async function scoreFile(
  scorer: Scorer,
  file: MiniBatchFile,
  passThrough?: PassThrough,
): Promise<RowBatch[]> {
  const format = tabularFormatOf(file.path) ?? tabularFormatOf(file.name);
  if (format === undefined) {
    throw errors.unsupportedFileType(
      `File '${file.name}' is not a tabular file (.csv, .parquet, .pqt, .jsonl): the no-code ONNX runtime scores tabular files only; give the deployment a scoring script for other files.`,
    );
  }
  const joined = passThrough ? await readPassThrough(file, passThrough) : [];
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
  const batches: RowBatch[] = [];
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
    const predictions = predictionBatch({
      results,
      columns: scorer.columns,
      firstRow: file.rowOffset + start,
      count,
      fileName: file.name,
    });
    batches.push(predictionRows(predictions, joinedColumns(predictions, joined, start)));
  }
  if (batches.length === 0) batches.push(emptyRows(scorer, file, joined));
  return batches;
}

/** The pass-through columns cut to a batch's rows, named so they do not take a prediction's name. */
function joinedColumns(batch: PredictionBatch, joined: readonly BatchColumn[], start: number): BatchColumn[] {
  if (joined.length === 0) return [];
  const taken = new Set(["row", "file_name", ...predictionNames(batch)]);
  return joined.map((column) => ({
    name: joinedName(column.name, taken),
    type: column.type,
    values: Array.prototype.slice.call(column.values, start, start + batch.count),
  }));
}

/** The rows of a file without rows: no row, but the columns every batch would have had. */
function emptyRows(scorer: Scorer, file: MiniBatchFile, joined: readonly BatchColumn[]): RowBatch {
  const predictions: PredictionBatch = {
    outputs: scorer.columns.map((column, k) => {
      const output = scorer.types[k];
      return {
        base: column.base,
        values: [],
        width: output?.width ?? 1,
        type: onnxValueType(output?.type ?? "") ?? "float64",
      };
    }),
    firstRow: file.rowOffset,
    count: 0,
    fileName: file.name,
  };
  return predictionRows(predictions, joinedColumns(predictions, joined, 0));
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
