import { type ErrorDetail, errors } from "../errors.js";
import type { InvokeRequest } from "../spec/invoke.schema.js";
import { scoreOutputTarget } from "../spec/invoke.schema.js";
import {
  type DataInput,
  type InputDeclaration,
  isLiteralType,
  type LiteralInput,
  type NamedInput,
  readLiteral,
  SCORE_OUTPUT,
} from "../spec/job-io.schema.js";
import type { Deployment } from "../spec/resources.js";

/** A job's inputs and outputs once the default input is chosen and the deployment's declarations applied. */
export interface JobIO {
  /** The default input: the mini-batches are cut from its items. */
  input: DataInput;
  /** Its name, when it was given by name. */
  inputName?: string;
  /** The other inputs: data inputs (local paths for the script) and literals (values). */
  inputs: Record<string, DataInput | LiteralInput>;
  /** Outputs beyond `score`: folders the script writes into; `path` absent: batchfn's default. */
  outputs: Record<string, { path?: string }>;
  /** Where the predictions go when a single unnamed output stands for `score` (Azure ML model deployments ignore its name). */
  score?: { outputPath: string; fileName?: string };
}

/**
 * Decides which input is the default and checks every input and output against what the
 * deployment declares. The default is the input given without a name (`input`, `dataset`), else
 * the one `default_input` names (invocation, then deployment), else the only data input (one the
 * deployment does not declare, when it declares some). Refusals, each naming the field:
 * `AmbiguousDefaultInput` (two inputs could be the default), `MissingInput` (a declared input, or
 * the named default, not given), `UnknownInput` (a name the deployment does not declare),
 * `InvalidLiteral` (a value not of its declared type), `InputTypeMismatch` (a file for a folder,
 * data for a literal), `UnknownOutput`.
 */
export function chooseJobIO(request: InvokeRequest, deployment: Deployment): JobIO {
  const named = { ...(request.inputs ?? {}) };
  const declared = deployment.inputs;
  const defaultName = request.overrides.default_input ?? deployment.settings.default_input;
  const { input, inputName } = chooseDefault(request.input, named, declared, defaultName);
  if (inputName !== undefined) delete named[inputName];
  const inputs = checkDeclared(named, declared, defaultName);
  return { input, ...(inputName ? { inputName } : {}), inputs, ...chooseOutputs(request, deployment) };
}

function chooseDefault(
  unnamed: DataInput | undefined,
  named: Record<string, NamedInput>,
  declared: Record<string, InputDeclaration> | undefined,
  defaultName: string | undefined,
): { input: DataInput; inputName?: string } {
  if (unnamed) {
    if (defaultName !== undefined && named[defaultName]) {
      throw errors.ambiguousDefaultInput(
        `Two default inputs: 'input' (given without a name) and 'inputs.${defaultName}' (named by default_input); give one of them.`,
        [{ path: `inputs.${defaultName}`, message: "is the default input too ('input' is given)" }],
      );
    }
    return { input: unnamed };
  }
  if (defaultName !== undefined) {
    const chosen = named[defaultName];
    if (!chosen) {
      throw errors.missingInput(
        `inputs.${defaultName}`,
        `default_input names '${defaultName}', which the invocation does not give (it gives: ${Object.keys(named).join(", ") || "no inputs"}).`,
      );
    }
    if (chosen.kind === "literal") {
      throw errors.inputTypeMismatch(
        `default_input names '${defaultName}', a ${chosen.type} literal; the default input must be data (uri_folder or uri_file).`,
      );
    }
    return { input: chosen, inputName: defaultName };
  }
  const data = Object.entries(named).filter(
    (entry): entry is [string, DataInput] => entry[1].kind !== "literal",
  );
  const undeclared = data.filter(([name]) => !declared?.[name]);
  const candidates = undeclared.length > 0 ? undeclared : data;
  const [only] = candidates;
  if (candidates.length === 1 && only) return { input: only[1], inputName: only[0] };
  if (candidates.length === 0) {
    throw errors.missingInput(
      "input",
      "The invocation gives no data input (uri_folder or uri_file) to score.",
    );
  }
  const names = candidates.map(([name]) => name);
  throw errors.ambiguousDefaultInput(
    `Two default inputs: ${names.map((n) => `'${n}'`).join(" and ")} could each be the input the mini-batches are cut from; name one with default_input (in the invocation or the deployment's settings).`,
    names.map((name) => ({ path: `inputs.${name}`, message: "could be the default input" })),
  );
}

/** The inputs besides the default, checked against the declarations, with declared literal defaults filled in. */
function checkDeclared(
  named: Record<string, NamedInput>,
  declared: Record<string, InputDeclaration> | undefined,
  defaultName: string | undefined,
): Record<string, DataInput | LiteralInput> {
  if (!declared) return named;
  const inputs: Record<string, DataInput | LiteralInput> = {};
  const literalProblems: ErrorDetail[] = [];
  for (const [name, given] of Object.entries(named)) {
    const declaration = declared[name];
    const at = `inputs.${name}`;
    if (!declaration) {
      throw errors.unknownInput(
        at,
        `Input '${name}' is not one the deployment declares (it declares: ${Object.keys(declared).join(", ")}).`,
      );
    }
    if (isLiteralType(declaration.type)) {
      if (given.kind !== "literal") {
        literalProblems.push({ path: at, message: `is declared ${declaration.type}; got a data input` });
        continue;
      }
      const read = readLiteral(declaration.type, given.value);
      if (!read.ok) literalProblems.push({ path: at, message: read.message });
      else inputs[name] = { kind: "literal", type: declaration.type, value: read.value };
      continue;
    }
    if (given.kind === "literal") {
      throw errors.inputTypeMismatch(`${at} is declared ${declaration.type}; got a ${given.type} literal.`);
    }
    if (given.kind === "uri" && given.type !== undefined && given.type !== declaration.type) {
      throw errors.inputTypeMismatch(`${at} is declared ${declaration.type}; got ${given.type}.`);
    }
    inputs[name] = given.kind === "uri" ? { ...given, type: declaration.type } : given;
  }
  if (literalProblems.length > 0) throw errors.invalidLiteral(literalProblems);
  for (const [name, declaration] of Object.entries(declared)) {
    if (name in inputs || name === defaultName || declaration.optional) continue;
    if (declaration.default !== undefined && isLiteralType(declaration.type)) {
      const read = readLiteral(declaration.type, declaration.default);
      if (read.ok) inputs[name] = { kind: "literal", type: declaration.type, value: read.value };
      continue;
    }
    throw errors.missingInput(
      `inputs.${name}`,
      `The deployment declares input '${name}' (${declaration.type}), which the invocation does not give.`,
    );
  }
  return inputs;
}

function chooseOutputs(request: InvokeRequest, deployment: Deployment): Pick<JobIO, "outputs" | "score"> {
  const given = request.outputs ?? {};
  const declared = deployment.outputs;
  const outputs: Record<string, { path?: string }> = {};
  for (const name of Object.keys(declared ?? {})) outputs[name] = {};
  const entries = Object.entries(given);
  const [sole] = entries;
  if (entries.length === 1 && sole && !declared?.[sole[0]] && request.outputPath === undefined) {
    const [name, output] = sole;
    if (output.path === undefined) return { outputs };
    const details: ErrorDetail[] = [];
    const score = scoreOutputTarget(
      { type: output.type, path: output.path },
      `outputs.${name}.path`,
      details,
    );
    if (!score) throw errors.invalidSpec(`Invalid output '${name}': ${details[0]?.message}`, details);
    return { outputs, score };
  }
  for (const [name, output] of entries) {
    const at = `outputs.${name}`;
    if (declared && !declared[name]) {
      throw errors.unknownOutput(
        at,
        `Output '${name}' is not one the deployment declares (it declares: ${[SCORE_OUTPUT, ...Object.keys(declared)].join(", ")}).`,
      );
    }
    if (output.type !== "uri_folder") {
      throw errors.invalidSpec(
        `Output '${name}' must be a uri_folder: a folder the scoring script writes into.`,
        [{ path: `${at}.type`, message: "must be uri_folder" }],
      );
    }
    outputs[name] = output.path === undefined ? {} : { path: output.path };
  }
  return { outputs };
}
