import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ensureError, errors } from "../../errors.js";

/**
 * The parts of an MLflow `MLmodel` file that batchfn reads: the flavors and the input signature.
 * MLflow writes `signature.inputs` as a JSON string holding either column specs (a DataFrame
 * schema) or tensor specs.
 */

const mlmodelSchema = z.looseObject({
  flavors: z.record(z.string(), z.record(z.string(), z.unknown()).nullable()),
  signature: z.looseObject({ inputs: z.string().nullish(), outputs: z.string().nullish() }).nullish(),
});

const columnSpecSchema = z.looseObject({
  name: z.string(),
  type: z.string(),
  required: z.boolean().optional(),
  optional: z.boolean().optional(),
});

const tensorSpecSchema = z.looseObject({
  type: z.literal("tensor"),
  name: z.string().optional(),
  "tensor-spec": z.looseObject({ dtype: z.string(), shape: z.array(z.number()) }),
});

/** A column of a column-based signature: MLflow types double, float, long, integer, string, boolean... */
export interface SignatureColumn {
  name: string;
  type: string;
  required: boolean;
}

export interface SignatureTensor {
  name?: string;
  dtype: string;
  shape: number[];
}

export type ModelSignature =
  | { kind: "columns"; columns: SignatureColumn[] }
  | { kind: "tensors"; tensors: SignatureTensor[] };

export interface MlflowModel {
  /** Flavor name → its settings (`onnx: {data: model.onnx, ...}`). */
  flavors: Record<string, Record<string, unknown>>;
  signature?: ModelSignature;
  /** The names of a column-based output signature (`[{"name": "a", "type": "double"}, ...]`), in order. */
  outputNames?: string[];
  /** The types of the output signature: MLflow column types, or `tensor:<dtype>` for tensor specs. */
  outputTypes?: Array<{ name?: string; type: string }>;
}

/** Parses the text of an `MLmodel` file; a malformed file fails with `InvalidModel` naming it. */
export function parseMlmodel(text: string, label: string): MlflowModel {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (thrown) {
    throw errors.invalidModel(`${label} is not valid YAML: ${ensureError(thrown).message}`);
  }
  const parsed = mlmodelSchema.safeParse(document);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw errors.invalidModel(`${label} is not an MLflow model description: ${issues.join("; ")}`);
  }
  const flavors: Record<string, Record<string, unknown>> = {};
  for (const [name, settings] of Object.entries(parsed.data.flavors)) flavors[name] = settings ?? {};
  const inputs = parsed.data.signature?.inputs;
  const outputs = signatureJson(parsed.data.signature?.outputs);
  const outputNames = outputColumnNames(outputs);
  const outputTypes = outputSignatureTypes(outputs);
  return {
    flavors,
    signature: inputs ? parseSignatureInputs(inputs, label) : undefined,
    ...(outputNames ? { outputNames } : {}),
    ...(outputTypes ? { outputTypes } : {}),
  };
}

/** A signature's JSON text parsed; undefined when it is missing or not JSON. */
function signatureJson(json: string | null | undefined): unknown {
  if (!json) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/** The output names of a column-based output signature; none for tensors, unnamed or malformed outputs. */
function outputColumnNames(value: unknown): string[] | undefined {
  const named = z
    .array(z.looseObject({ name: z.string(), type: z.string() }))
    .min(1)
    .safeParse(value);
  return named.success ? named.data.map((output) => output.name) : undefined;
}

/** The types of an output signature (column or tensor specs); none when it is missing or malformed. */
function outputSignatureTypes(value: unknown): MlflowModel["outputTypes"] {
  const tensors = z.array(tensorSpecSchema).min(1).safeParse(value);
  if (tensors.success) {
    return tensors.data.map((t) => ({
      ...(t.name === undefined ? {} : { name: t.name }),
      type: `tensor:${t["tensor-spec"].dtype}`,
    }));
  }
  const columns = z
    .array(z.looseObject({ name: z.string().optional(), type: z.string() }))
    .min(1)
    .safeParse(value);
  return columns.success
    ? columns.data.map((c) => ({ ...(c.name === undefined ? {} : { name: c.name }), type: c.type }))
    : undefined;
}

function parseSignatureInputs(json: string, label: string): ModelSignature {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (thrown) {
    throw errors.invalidModel(`${label}: signature.inputs is not valid JSON: ${ensureError(thrown).message}`);
  }
  const tensors = z.array(tensorSpecSchema).min(1).safeParse(value);
  if (tensors.success) {
    return {
      kind: "tensors",
      tensors: tensors.data.map((t) => ({
        name: t.name,
        dtype: t["tensor-spec"].dtype,
        shape: t["tensor-spec"].shape,
      })),
    };
  }
  const columns = z.array(columnSpecSchema).min(1).safeParse(value);
  if (columns.success) {
    return {
      kind: "columns",
      columns: columns.data.map((c) => ({
        name: c.name,
        type: c.type,
        required: c.required ?? c.optional !== true,
      })),
    };
  }
  throw errors.invalidModel(
    `${label}: signature.inputs must be a list of column specs ({"name", "type"}) or of tensor specs ({"type": "tensor", "tensor-spec": {"dtype", "shape"}}), got ${json}`,
  );
}
