import { errors } from "../../errors.js";
import type { MlflowModel } from "../onnx/mlmodel.js";

/** MLflow column types and tensor dtypes Parquet output holds (as the driver's numpy dtypes map them). */
const SUPPORTED = new Set([
  "double",
  "float",
  "long",
  "integer",
  "boolean",
  "string",
  "tensor:float64",
  "tensor:float32",
  "tensor:float16",
  "tensor:int64",
  "tensor:int32",
  "tensor:int16",
  "tensor:int8",
  "tensor:uint32",
  "tensor:uint16",
  "tensor:uint8",
  "tensor:bool",
  "tensor:str",
  "tensor:object",
]);

/**
 * Refuses, for `output_format: parquet`, an MLflow model whose output signature names a type
 * Parquet output does not hold (`binary`, `datetime`, a tensor of uint64 or complex numbers...):
 * `UnsupportedOutputType` naming the output. A model without an output signature is checked as
 * it scores (the predictions' numpy types).
 */
export function checkMlflowParquetOutputs(model: MlflowModel, label: string): void {
  for (const [index, output] of (model.outputTypes ?? []).entries()) {
    if (SUPPORTED.has(output.type)) continue;
    const name = output.name ?? `output ${index + 1}`;
    throw errors.unsupportedOutputType(
      `${label}: the output signature types '${name}' as ${output.type.replace(/^tensor:/, "a tensor of ")}, which output_format parquet cannot hold (it holds double, float, long, integer, boolean and string outputs); use output_format csv or jsonl.`,
      [{ path: "settings.output_format", message: `output '${name}' is ${output.type}` }],
    );
  }
}
