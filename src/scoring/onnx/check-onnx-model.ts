import { basename } from "node:path";
import { InferenceSession } from "onnxruntime-node";
import { ensureError, errors } from "../../errors.js";
import { planFeeds } from "./feed-plan.js";
import { inspectModel } from "./inspect-model.js";
import { onnxValueType, unsupportedParquetOutput } from "./predictions.js";

/**
 * Checks, when a no-code deployment is stored, that its model runs as the ONNX runtime will run it:
 * the file loads in onnxruntime (random bytes named `model.onnx` do not), its inputs can be fed from
 * table columns, and it has a tensor output; for Parquet output, every output has a Parquet type.
 * Throws `InvalidModel` (or `UnsupportedModelFlavor`, `UnsupportedOutputType`) naming the model;
 * the session is released at once.
 */
export async function checkOnnxModel(
  modelDir: string,
  displayName: string,
  options: { parquet?: boolean } = {},
): Promise<void> {
  const model = await inspectModel(modelDir, displayName);
  const label = `Model '${displayName}' (${basename(model.modelPath)})`;
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(model.modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (thrown) {
    const reason = ensureError(thrown).message.split("\n")[0];
    throw errors.invalidModel(`${label} is not an ONNX model onnxruntime can load: ${reason}`);
  }
  try {
    planFeeds(session.inputMetadata, model.signature, label);
    if (!session.outputMetadata.some((output) => output.isTensor)) {
      throw errors.invalidModel(`${label} has no tensor output to write as predictions.`);
    }
    if (options.parquet) {
      for (const output of session.outputMetadata) {
        if (output.isTensor && onnxValueType(output.type) === undefined) {
          throw unsupportedParquetOutput(label, output);
        }
      }
    }
  } finally {
    await session.release();
  }
}
