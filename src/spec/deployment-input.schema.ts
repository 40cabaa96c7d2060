import { z } from "zod";
import { readAssetReference } from "./asset-reference.js";
import { environmentVariables, settingsFields, settingsInput } from "./deployment-settings.schema.js";
import { caseInsensitive, schemaUrl } from "./fields.js";
import { inputDeclarations, outputDeclarations } from "./job-io.schema.js";
import { inlineModelInput } from "./model.schema.js";
import { pathText } from "./names.js";
import { resourceName, tags } from "./resources.js";

/**
 * A batch deployment as written, in either form: v2 (`settings:`, `resources:`) or 2021 (settings at
 * the root, `compute.instance_count`). Unknown keys are errors; the Python-only keys (`environment`,
 * `compute`, `conda_file`, `docker`) are accepted as they are.
 */

/**
 * `model: azureml:<name>:<version>`, `<name>:<version>` or `azureml:<name>@latest`, wrapped as
 * `{reference}` so it cannot be mistaken for an inline model.
 */
const modelReferenceText = z.string().transform((text, context) => {
  const result = readAssetReference(text.trim(), true);
  if (result.ok) return { reference: result.value };
  context.addIssue({ code: "custom", message: result.message, input: text });
  return z.NEVER;
});

const codeConfigurationInput = z.strictObject({
  /** v2: `code: ./code`; 2021: `code: {local_path: ./code}`. */
  code: z.union([pathText, z.strictObject({ local_path: pathText })]),
  scoring_script: pathText,
});

const instanceCount = z.number().int().min(1).optional();

export const deploymentInput = z.strictObject({
  $schema: schemaUrl,
  name: resourceName,
  endpoint_name: resourceName.optional(),
  type: caseInsensitive(
    z.literal("model", { error: "must be model (pipeline deployments are not supported)" }),
  ).optional(),
  description: z.string().optional(),
  tags: tags.optional(),
  model: z.union([modelReferenceText, inlineModelInput]),
  code_configuration: codeConfigurationInput.optional(),
  environment_variables: environmentVariables.optional(),
  resources: z.strictObject({ instance_count: instanceCount }).optional(),
  settings: settingsInput.optional(),
  inputs: inputDeclarations.optional(),
  outputs: outputDeclarations.optional(),
  compute: z
    .union([z.string(), z.strictObject({ target: z.string().optional(), instance_count: instanceCount })])
    .optional(),
  environment: z.unknown().optional(),
  conda_file: z.unknown().optional(),
  docker: z.unknown().optional(),
  ...settingsFields,
});
export type DeploymentInput = z.infer<typeof deploymentInput>;
