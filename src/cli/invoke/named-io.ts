import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { parse } from "yaml";
import { errors } from "../../errors.js";
import { isMapping } from "../../spec/fields.js";
import { isLiteralType } from "../../spec/job-io.schema.js";
import type { CliContext } from "../cli-context.js";
import { loadDocument } from "../documents/document-file.js";
import { outputUri, resolveInput } from "./invoke-input.js";

/** The `inputs` / `outputs` maps of an invoke body, as the CLI gathers them. */
export interface InvokeIO {
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/**
 * Reads the named inputs and outputs of `batch-endpoint invoke` as `az ml` takes them: `--file
 * inputs.yml` (a mapping with `inputs:` and `outputs:`; its local paths start from the file's
 * folder), then `--inputs` and `--outputs` (a JSON or YAML mapping each, entries replacing the
 * file's). `--set inputs.<name>.path=...` is applied later, on the body.
 */
export async function readInvokeIO(
  context: CliContext,
  options: { file?: string; inputs?: string; outputs?: string },
): Promise<InvokeIO> {
  const io: InvokeIO = {};
  if (options.file !== undefined) {
    const { document, dir } = await loadDocument({
      file: options.file,
      kind: "invocation",
      cwd: context.io.cwd,
    });
    const extra = Object.keys(document).filter((key) => !["inputs", "outputs", "$schema"].includes(key));
    if (extra.length > 0) {
      throw errors.invalidParameter(
        "--file",
        `'${options.file}' holds ${extra.map((k) => `'${k}'`).join(", ")}; an invoke file holds inputs: and outputs:`,
      );
    }
    io.inputs = mapping(document.inputs, `--file ${options.file}: inputs`);
    io.outputs = mapping(document.outputs, `--file ${options.file}: outputs`);
    await localPathsFrom(io.inputs, dir);
  }
  if (options.inputs !== undefined)
    io.inputs = { ...io.inputs, ...mapping(parseFlag(options.inputs, "--inputs"), "--inputs") };
  if (options.outputs !== undefined) {
    io.outputs = { ...io.outputs, ...mapping(parseFlag(options.outputs, "--outputs"), "--outputs") };
  }
  return io;
}

/**
 * Makes the body's named inputs and outputs ones the server can read, after `--set`: a data input's
 * local file or folder is uploaded (as `--input` is) and replaced by its URI; an output path that is
 * not a URI is a folder of `workspaceblobstore`.
 */
export async function resolveIOPaths(context: CliContext, body: Record<string, unknown>): Promise<void> {
  if (body.inputs !== undefined) {
    for (const [name, entry] of Object.entries(mapping(body.inputs, "inputs") ?? {})) {
      if (!isMapping(entry) || typeof entry.path !== "string") continue;
      const type = entry.type;
      if (typeof type === "string" && isLiteralType(type)) continue;
      const dataType = type === "uri_file" || type === "uri_folder" ? type : undefined;
      const resolved = await resolveInput(context, entry.path, dataType, `inputs.${name}.path`);
      entry.path = resolved.input;
      if (resolved.input_type !== undefined) entry.type = resolved.input_type;
    }
  }
  if (body.outputs !== undefined) {
    for (const entry of Object.values(mapping(body.outputs, "outputs") ?? {})) {
      if (isMapping(entry) && typeof entry.path === "string" && !/^https?:\/\//i.test(entry.path)) {
        entry.path = outputUri(entry.path);
      }
    }
  }
}

/** The local paths of an invoke file's inputs, made absolute from the file's folder (when they exist there). */
async function localPathsFrom(inputs: Record<string, unknown> | undefined, dir: string): Promise<void> {
  for (const entry of Object.values(inputs ?? {})) {
    if (!isMapping(entry) || typeof entry.path !== "string") continue;
    const local = resolve(dir, entry.path);
    if (/^(azureml:|https?:\/\/)/i.test(entry.path)) continue;
    if (await stat(local).catch(() => undefined)) entry.path = local;
  }
}

function parseFlag(text: string, flag: string): unknown {
  try {
    return parse(text);
  } catch (thrown) {
    throw errors.invalidParameter(
      flag,
      `is not JSON or YAML: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
    );
  }
}

function mapping(value: unknown, what: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isMapping(value))
    throw errors.invalidParameter(what, "must be a mapping of names to inputs or outputs");
  return value;
}

const STAND_IN = "azureml://datastores/workspaceblobstore/paths/check/";

/**
 * The body with a stand-in URI for every local path of a data input and output, for checking it
 * with the server's parser before anything is uploaded.
 */
export function standInPaths(body: Record<string, unknown>): Record<string, unknown> {
  for (const key of ["inputs", "outputs"]) {
    const entries = body[key];
    if (!isMapping(entries)) continue;
    for (const entry of Object.values(entries)) {
      if (!isMapping(entry) || typeof entry.path !== "string") continue;
      if (typeof entry.type === "string" && isLiteralType(entry.type)) continue;
      if (!/^(azureml:|https?:\/\/|\/subscriptions\/)/i.test(entry.path)) entry.path = STAND_IN;
    }
  }
  return body;
}
