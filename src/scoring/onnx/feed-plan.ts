import { errors } from "../../errors.js";
import type { ModelSignature } from "./mlmodel.js";

/** The ONNX tensor element types batchfn can build from table columns. */
export type OnnxElemType = "float32" | "float64" | "int64" | "int32" | "bool" | "string";
const ELEM_TYPES: readonly string[] = ["float32", "float64", "int64", "int32", "bool", "string"];

/** An ONNX input or output as onnxruntime describes it (`session.inputMetadata`). */
export interface ValueMetadata {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: readonly (number | string)[];
}

/** How one ONNX input is filled from a table. */
export type Feed =
  /** One column, as shape [N] (rank 1) or [N,1] (rank 2). */
  | { kind: "column"; input: string; type: OnnxElemType; column: string; rank: 1 | 2 }
  /** Several columns side by side as [N,K]: named columns in this order, or all numeric columns in file order. */
  | {
      kind: "matrix";
      input: string;
      type: OnnxElemType;
      columns: readonly string[] | "numeric";
      width?: number;
    };

export interface FeedPlan {
  feeds: Feed[];
  /** Rows per run when the model fixes its batch dimension (e.g. 1). */
  fixedBatch?: number;
  /** Signature columns every file must have. */
  requiredColumns: string[];
  /** Columns to read as text (inputs of type string, signature columns of type string). */
  stringColumns: Set<string>;
  /** How columns become inputs, in words, for the log. */
  description: string;
}

/**
 * Decides how table columns become the model's inputs:
 * - a tensor-based MLflow signature with one tensor, for a model with one input: all numeric columns
 *   of the file, in file order, as [N,K];
 * - a column-based signature: the signature's columns by name, in signature order, as one [N,K]
 *   input when the model has a single input that is not one of those columns (or there are several
 *   columns), otherwise one column per input, by input name;
 * - no signature: a single input of shape [N,K] with K ≠ 1 takes all numeric columns in file order;
 *   otherwise each input takes the column named like it.
 */
export function planFeeds(
  inputs: readonly ValueMetadata[],
  signature: ModelSignature | undefined,
  label: string,
): FeedPlan {
  const tensors = inputs.map((input) => checkInput(input, label));
  const [single] = tensors;
  const requiredColumns =
    signature?.kind === "columns" ? signature.columns.filter((c) => c.required).map((c) => c.name) : [];
  const stringColumns = new Set<string>(
    signature?.kind === "columns"
      ? signature.columns.filter((c) => c.type === "string").map((c) => c.name)
      : [],
  );
  const fixedBatch = fixedBatchSize(tensors);
  const plan = (feeds: Feed[], description: string): FeedPlan => {
    for (const feed of feeds)
      if (feed.kind === "column" && feed.type === "string") stringColumns.add(feed.column);
    return { feeds, fixedBatch, requiredColumns, stringColumns, description };
  };

  if (single !== undefined && tensors.length === 1) {
    const width = secondDim(single.shape);
    if (signature?.kind === "tensors" && signature.tensors.length === 1) {
      const specWidth = signature.tensors[0]?.shape[1];
      const expected = specWidth !== undefined && specWidth > 0 ? specWidth : width;
      return plan(
        [{ kind: "matrix", input: single.name, type: single.type, columns: "numeric", width: expected }],
        `all numeric columns in file order → '${single.name}' [N,${expected ?? "K"}] (tensor signature)`,
      );
    }
    if (signature?.kind === "columns") {
      const names = signature.columns.map((c) => c.name);
      if (names.length > 1 || !names.includes(single.name)) {
        if (width !== undefined && width !== names.length) {
          throw errors.invalidModel(
            `${label}: the signature has ${names.length} columns but input '${single.name}' takes ${width} values per row.`,
          );
        }
        return plan(
          [{ kind: "matrix", input: single.name, type: single.type, columns: names, width: names.length }],
          `columns ${names.join(", ")} (signature order) → '${single.name}' [N,${names.length}]`,
        );
      }
    } else if (single.shape.length === 2 && width !== 1) {
      return plan(
        [{ kind: "matrix", input: single.name, type: single.type, columns: "numeric", width }],
        `all numeric columns in file order → '${single.name}' [N,${width ?? "K"}]`,
      );
    }
  }
  const feeds: Feed[] = tensors.map((tensor) => {
    if (
      tensor.shape.length > 2 ||
      (tensor.shape.length === 2 && secondDim(tensor.shape) !== 1 && secondDim(tensor.shape) !== undefined)
    ) {
      throw errors.invalidModel(
        `${label}: input '${tensor.name}' has shape [${tensor.shape.join(",")}]; an input filled from one column must be [N] or [N,1].`,
      );
    }
    return {
      kind: "column",
      input: tensor.name,
      type: tensor.type,
      column: tensor.name,
      rank: tensor.shape.length === 1 ? 1 : 2,
    };
  });
  return plan(
    feeds,
    `one column per input, by name: ${tensors.map((t) => `${t.name} (${t.type})`).join(", ")}`,
  );
}

interface TensorInput {
  name: string;
  type: OnnxElemType;
  shape: readonly (number | string)[];
}

function checkInput(input: ValueMetadata, label: string): TensorInput {
  if (!input.isTensor || input.type === undefined) {
    throw errors.invalidModel(
      `${label}: input '${input.name}' is not a tensor; batchfn fills only tensor inputs from tables.`,
    );
  }
  if (!ELEM_TYPES.includes(input.type)) {
    throw errors.invalidModel(
      `${label}: input '${input.name}' has element type ${input.type}; batchfn fills ${ELEM_TYPES.join(", ")} inputs from tables.`,
    );
  }
  return { name: input.name, type: input.type as OnnxElemType, shape: input.shape ?? [] };
}

function secondDim(shape: readonly (number | string)[]): number | undefined {
  const dim = shape[1];
  return typeof dim === "number" && dim > 0 ? dim : undefined;
}

function fixedBatchSize(tensors: TensorInput[]): number | undefined {
  for (const tensor of tensors) {
    const dim = tensor.shape[0];
    if (typeof dim === "number" && dim > 0) return dim;
  }
  return undefined;
}
