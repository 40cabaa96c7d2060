import { type Command, Option } from "commander";
import { z } from "zod";
import { isMapping } from "../../spec/fields.js";
import { listAll, routes } from "../api/routes.js";
import type { BatchfnCommand } from "../batchfn-command.js";
import type { CliContext } from "../cli-context.js";
import { addLeaf, type CliRuntime, usage } from "../command-kit.js";
import { loadDocument, overrideField, textField } from "../documents/document-file.js";
import { uploadEndpointPaths } from "../documents/local-paths.js";
import { dropMissingDefault } from "../documents/missing-default.js";
import { sendWithUploads, withoutWarnings } from "../documents/send-document.js";
import { documentOf } from "../documents/shown-resource.js";
import { invokeEndpoint } from "../invoke/invoke-endpoint.js";
import { outputUri, resolveInput } from "../invoke/invoke-input.js";
import { readInvokeIO } from "../invoke/named-io.js";
import { parsePairs } from "../set-values.js";
import { positiveInteger } from "./flag-parsers.js";
import { endpointMonitorUrl, listJobs } from "./job-commands.js";

/**
 * Creates or replaces an endpoint from a document (`--file`, `--set`, `--name`): local paths of
 * inline 2021 deployments are uploaded, and a default naming a deployment that does not exist yet
 * is left out (with a note).
 */
export async function putEndpoint(
  context: CliContext,
  command: Command,
  flags: { file?: string; name?: string; set?: string[] },
): Promise<unknown> {
  const answer = await sendWithUploads(context, async (scope) => {
    const loaded = await loadDocument({ ...flags, kind: "batch endpoint", cwd: context.io.cwd });
    overrideField(loaded.document, "name", flags.name);
    const name = textField(loaded.document, "name");
    if (name === undefined) usage(command, "give --name, or a --file whose document has a name");
    await dropMissingDefault(context, loaded.document, name);
    await uploadEndpointPaths(loaded, scope);
    return { method: "PUT", path: routes.endpoint(name), body: loaded.document };
  });
  return withoutWarnings(context, answer.body);
}

/**
 * Changes an endpoint: the document of `--file`, or the endpoint as it is now, with `--set` and
 * `--defaults` applied. Without a file the change applies only if nobody changed the endpoint
 * meanwhile (`If-Match`).
 */
async function updateEndpoint(
  context: CliContext,
  flags: { name: string; file?: string; set?: string[]; defaults?: string[] },
): Promise<unknown> {
  const answer = await sendWithUploads(context, async (scope) => {
    const current = await context.api.send({ path: routes.endpoint(flags.name) });
    const loaded = await loadDocument({
      ...flags,
      kind: "batch endpoint",
      cwd: context.io.cwd,
      base: documentOf(current.body),
    });
    const fromFile = flags.file !== undefined;
    const { document } = loaded;
    overrideField(document, "name", flags.name);
    const defaults = parsePairs(flags.defaults ?? [], "--defaults");
    if (Object.keys(defaults).length > 0) {
      document.defaults = { ...asMapping(document.defaults), ...defaults };
    }
    await uploadEndpointPaths(loaded, scope);
    const etag = current.headers.get("etag");
    const headers: Record<string, string> = !fromFile && etag ? { "if-match": etag } : {};
    return { method: "PUT", path: routes.endpoint(flags.name), body: document, headers };
  });
  return withoutWarnings(context, answer.body);
}

function asMapping(value: unknown): Record<string, unknown> {
  return isMapping(value) ? value : {};
}

const INPUT_TYPES = ["uri_file", "uri_folder"];

/** `batch-endpoint create|show|list|update|delete|invoke|list-jobs`; answers the group, for more commands. */
export function registerBatchEndpointCommands(program: BatchfnCommand, runtime: CliRuntime): BatchfnCommand {
  const group = program
    .command("batch-endpoint")
    .description(
      "Batch endpoints (az ml batch-endpoint): create, show, list, update, delete, invoke, list jobs, keys",
    );

  addLeaf(
    group,
    {
      name: "create",
      summary: "Create (or replace) a batch endpoint from a YAML file",
      noWait: true,
      flags: (c) =>
        c
          .option("-f, --file <file>", "endpoint YAML (v2 or 2021 form)")
          .option("-n, --name <endpoint>", "endpoint name (wins over the file's)")
          .option("--set <key=value...>", "set a field of the document (dotted keys, repeatable)"),
      schema: z.object({
        file: z.string().optional(),
        name: z.string().optional(),
        set: z.array(z.string()).optional(),
      }),
      run: async (o, context, command) => ({ value: await putEndpoint(context, command, o) }),
      examples: ["batchfn batch-endpoint create --file examples/taxi-tip/endpoint.yml"],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "show",
      summary: "Show a batch endpoint",
      flags: (c) =>
        c
          .requiredFlag("-n, --name <endpoint>", "endpoint name")
          .option("--web", "also print the endpoint's jobs in the job monitor (on stderr)"),
      schema: z.object({ name: z.string(), web: z.boolean().optional() }),
      run: async (o, context) => {
        const value = (await context.api.send({ path: routes.endpoint(o.name) })).body;
        if (o.web) context.note(`Job monitor: ${endpointMonitorUrl(context.api.baseUrl, o.name)}`);
        return { value };
      },
      examples: [
        "batchfn batch-endpoint show --name taxi-tip --query scoring_uri -o tsv",
        "batchfn batch-endpoint show --name taxi-tip --web",
      ],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "list",
      summary: "List batch endpoints",
      flags: () => {},
      schema: z.object({}),
      run: async (_o, context) => ({ value: await listAll(context.api, routes.endpoints) }),
      examples: ["batchfn batch-endpoint list -o table"],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "update",
      summary: "Update a batch endpoint: switch its default deployment, change its description or tags",
      noWait: true,
      flags: (c) =>
        c
          .requiredFlag("-n, --name <endpoint>", "endpoint name")
          .option("-f, --file <file>", "endpoint YAML to apply (else the endpoint as it is)")
          .option("--defaults <key=value...>", "set defaults, e.g. deployment_name=<deployment>")
          .option("--set <key=value...>", "set a field (dotted keys, repeatable)"),
      schema: z.object({
        name: z.string(),
        file: z.string().optional(),
        defaults: z.array(z.string()).optional(),
        set: z.array(z.string()).optional(),
      }),
      run: async (o, context) => ({ value: await updateEndpoint(context, o) }),
      examples: ["batchfn batch-endpoint update --name taxi-tip --defaults deployment_name=taxi-tip-v2"],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "delete",
      summary: "Delete a batch endpoint and its deployments",
      noWait: true,
      flags: (c) =>
        c
          .requiredFlag("-n, --name <endpoint>", "endpoint name")
          .option("-y, --yes", "do not ask (batchfn never asks)"),
      schema: z.object({ name: z.string() }),
      run: async (o, context) => {
        await context.api.send({ method: "DELETE", path: routes.endpoint(o.name) });
        context.note(`Deleted batch endpoint '${o.name}'.`);
        return {};
      },
      examples: ["batchfn batch-endpoint delete --name taxi-tip --yes"],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "invoke",
      summary: "Start a batch scoring job on an input; answers the job (its name: --query name -o tsv)",
      flags: (c) =>
        c
          .requiredFlag("-n, --name <endpoint>", "endpoint name")
          .option(
            "--input <input>",
            "azureml://datastores/<ds>/paths/<path>, https://..., azureml:<data>:<version>, or a local file or folder (uploaded)",
          )
          .addOption(new Option("--input-type <type>", "what the input is").choices(INPUT_TYPES))
          .option(
            "-d, --deployment-name <deployment>",
            "the deployment to run (default: the endpoint's default)",
          )
          .option(
            "--output-path <path>",
            "output folder: azureml://datastores/<ds>/paths/<folder> (or a folder of workspaceblobstore)",
          )
          .option("-m, --mini-batch-size <n>", "files per mini-batch", positiveInteger)
          .option("-c, --instance-count <n>", "instances scoring in parallel", positiveInteger)
          .option(
            "--job-name <job>",
            "name of the job (invoking again with the same name answers the same job)",
          )
          .option("--idempotency-key <key>", "invoking again with the same key answers the same job")
          .option("--display-name <name>", "display name of the job (1-256 characters)")
          .option(
            "--experiment-name <name>",
            "experiment the job is listed under (default: the endpoint's name)",
          )
          .option("--tags <key=value...>", "tags of the job: --tags team=ml env=prod")
          .option(
            "-f, --file <inputs.yml>",
            "named inputs and outputs: a YAML file with inputs: (data: type + path; literals: type + default) and outputs: (type + path)",
          )
          .option(
            "--inputs <json>",
            'named inputs as JSON: \'{"zones": {"type": "uri_file", "path": "./zones.csv"}}\'',
          )
          .option(
            "--outputs <json>",
            'named outputs as JSON: \'{"reports": {"type": "uri_folder", "path": "..."}}\'',
          )
          .option(
            "--set <key=value...>",
            "set an invoke setting: output_file_name=x.csv, retry_settings.max_retries=1, error_threshold=5, logging_level=debug, max_concurrency_per_instance=2, overwrite=true, default_input=<name>, inputs.<name>.type=uri_folder inputs.<name>.path=<path>, inputs.<name>.default=<value>, outputs.<name>.path=<path>, output_format=parquet, output_layout=per_file, key_field=id, 'include_columns=[\"a\"]'",
          ),
      schema: invokeFlags,
      run: async (o, context) => {
        const io = await readInvokeIO(context, { file: o.file, inputs: o.inputs, outputs: o.outputs });
        const settings = {
          endpoint: o.name,
          deployment: o.deploymentName,
          outputPath: o.outputPath === undefined ? undefined : outputUri(o.outputPath),
          jobName: o.jobName,
          miniBatchSize: o.miniBatchSize,
          instanceCount: o.instanceCount,
          idempotencyKey: o.idempotencyKey,
          displayName: o.displayName,
          experimentName: o.experimentName,
          tags: o.tags,
          set: o.set ?? [],
          io,
        };
        const { input, inputType } = o;
        const value = await invokeEndpoint(
          context,
          settings,
          input === undefined ? undefined : () => resolveInput(context, input, inputType),
        );
        return { value };
      },
      examples: [
        "JOB=$(batchfn batch-endpoint invoke --name taxi-tip --input ./data --query name -o tsv)",
        "batchfn batch-endpoint invoke -n taxi-tip --input azureml:taxi-data:1 --set output_file_name=tips.csv",
        "batchfn batch-endpoint invoke -n taxi-tip --file inputs.yml",
        "batchfn batch-endpoint invoke -n taxi-tip --set inputs.trips.type=uri_folder inputs.trips.path=./data inputs.limit.type=integer inputs.limit.default=5",
      ],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "list-jobs",
      summary: "List the jobs of a batch endpoint, newest first",
      flags: (c) =>
        c
          .requiredFlag("-n, --name <endpoint>", "endpoint name")
          .option("-r, --max-results <n>", "list at most n jobs", positiveInteger),
      schema: z.object({ name: z.string(), maxResults: z.number().optional() }),
      run: (o, context) => listJobs(context, { endpoint: o.name, max: o.maxResults }),
      examples: ['batchfn batch-endpoint list-jobs --name taxi-tip --query "[].name" -o tsv'],
    },
    runtime,
  );
  return group;
}

const invokeFlags = z.object({
  name: z.string(),
  input: z.string().optional(),
  file: z.string().optional(),
  inputs: z.string().optional(),
  outputs: z.string().optional(),
  inputType: z.enum(["uri_file", "uri_folder"]).optional(),
  deploymentName: z.string().optional(),
  outputPath: z.string().optional(),
  miniBatchSize: z.number().optional(),
  instanceCount: z.number().optional(),
  jobName: z.string().optional(),
  idempotencyKey: z.string().optional(),
  displayName: z.string().optional(),
  experimentName: z.string().optional(),
  tags: z.array(z.string()).optional(),
  set: z.array(z.string()).optional(),
});
