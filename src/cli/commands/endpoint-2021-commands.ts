import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { z } from "zod";
import { isMapping } from "../../spec/fields.js";
import { listAll, routes } from "../api/routes.js";
import type { BatchfnCommand } from "../batchfn-command.js";
import type { CliContext } from "../cli-context.js";
import { addLeaf, type CliRuntime, usage } from "../command-kit.js";
import { documentOf } from "../documents/shown-resource.js";
import { invokeEndpoint } from "../invoke/invoke-endpoint.js";
import { type BodyInput, datastoreUri, outputUri, uploadLocal } from "../invoke/invoke-input.js";
import { putDeployment } from "./batch-deployment-commands.js";
import { putEndpoint } from "./batch-endpoint-commands.js";
import { positiveInteger } from "./flag-parsers.js";
import { listJobs } from "./job-commands.js";

/**
 * The 2021 preview commands of the original Azure ML batch endpoint article (`az ml endpoint ...
 * --type batch`), kept so that scripts written for it run after replacing `az ml` with `batchfn`.
 */

const typeOption = () =>
  new Option("-t, --type <type>", "endpoint type (batchfn has batch endpoints only)")
    .choices(["batch"])
    .makeOptionMandatory();

const named = z.object({ name: z.string() });
const named2021 = z.object({ name: z.string(), type: z.literal("batch") });

/** The endpoint with the 2021 `traffic` map: 100 for its default deployment, 0 for the others. */
async function showWithTraffic(context: CliContext, name: string): Promise<unknown> {
  const endpoint = (await context.api.send({ path: routes.endpoint(name) })).body;
  const deployments = await listAll(context.api, routes.deployments(name));
  const defaults =
    isMapping(endpoint) && isMapping(endpoint.defaults) ? endpoint.defaults.deployment_name : undefined;
  const traffic = Object.fromEntries(
    deployments
      .map((deployment) => named.safeParse(deployment))
      .flatMap((parsed) => (parsed.success ? [parsed.data.name] : []))
      .map((deployment) => [deployment, deployment === defaults ? 100 : 0]),
  );
  return isMapping(endpoint) ? { ...endpoint, traffic } : endpoint;
}

/** `D:100` (or `D1:100,D2:0`): the deployment that gets 100 becomes the default. */
function readTraffic(command: Command, text: string): string | undefined {
  let full: string | undefined;
  for (const part of text.split(/[,\s]+/).filter(Boolean)) {
    const [deployment, share] = part.split(":");
    if (!deployment || (share !== "0" && share !== "100")) {
      usage(
        command,
        `--traffic '${part}': give <deployment>:100 (a batch endpoint sends every invocation to one deployment)`,
      );
    }
    if (share === "100") {
      if (full !== undefined) usage(command, `--traffic gives 100 to both '${full}' and '${deployment}'`);
      full = deployment;
    }
  }
  return full;
}

const invokeFlags = z.object({
  name: z.string(),
  inputData: z.string().optional(),
  inputDatastore: z.string().optional(),
  inputPath: z.string().optional(),
  inputLocalPath: z.string().optional(),
  outputDatastore: z.string().optional(),
  outputPath: z.string().optional(),
  deploymentName: z.string().optional(),
  miniBatchSize: z.number().optional(),
  instanceCount: z.number().optional(),
  jobName: z.string().optional(),
  set: z.array(z.string()).optional(),
});
type InvokeFlags = z.infer<typeof invokeFlags>;

/** The input of a 2021 invocation: exactly one of its four kinds. */
async function input2021(context: CliContext, command: Command, o: InvokeFlags): Promise<BodyInput> {
  const kinds = [
    o.inputData && "--input-data",
    o.inputLocalPath && "--input-local-path",
    (o.inputDatastore || o.inputPath) && "--input-path",
  ].filter(Boolean);
  if (kinds.length !== 1) {
    usage(
      command,
      `give one input: --input-data <name>:<version>, --input-datastore <ds> --input-path <path>, --input-path <https url>, or --input-local-path <path>${kinds.length > 1 ? ` (got ${kinds.join(" and ")})` : ""}`,
    );
  }
  if (o.inputLocalPath) return uploadLocal(context, resolve(context.io.cwd, o.inputLocalPath), undefined);
  if (o.inputData)
    return { input: o.inputData.startsWith("azureml:") ? o.inputData : `azureml:${o.inputData}` };
  const path = o.inputPath;
  if (path === undefined)
    usage(command, "--input-datastore needs --input-path (the path inside the datastore)");
  if (o.inputDatastore) return { input: datastoreUri(o.inputDatastore, path) };
  if (/^(https?|azureml):\/\//i.test(path)) return { input: path };
  return { input: datastoreUri("workspaceblobstore", path) };
}

/** `endpoint create|show|list|update|delete|invoke|list-jobs --type batch`. */
export function registerEndpoint2021Commands(program: BatchfnCommand, runtime: CliRuntime): void {
  const group = program
    .command("endpoint")
    .description("Batch endpoints, 2021 preview commands (az ml endpoint ... --type batch)");

  addLeaf(
    group,
    {
      name: "create",
      summary: "Create a batch endpoint from a 2021 YAML file (inline deployments, traffic)",
      noWait: true,
      flags: (c) =>
        c
          .requiredFlag(typeOption())
          .option("-f, --file <file>", "endpoint YAML; local model and code folders are uploaded")
          .option("-n, --name <endpoint>", "endpoint name (wins over the file's)")
          .option("--set <key=value...>", "set a field of the document (dotted keys, repeatable)"),
      schema: z.object({
        file: z.string().optional(),
        name: z.string().optional(),
        set: z.array(z.string()).optional(),
      }),
      run: async (o, context, command) => ({ value: await putEndpoint(context, command, o) }),
      examples: ["batchfn endpoint create --type batch --file examples/taxi-tip/endpoint-2021.yml"],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "show",
      summary: "Show a batch endpoint with its traffic (100 for the default deployment)",
      flags: (c) => c.requiredFlag(typeOption()).requiredFlag("-n, --name <endpoint>", "endpoint name"),
      schema: named2021,
      run: async (o, context) => ({ value: await showWithTraffic(context, o.name) }),
      examples: ["batchfn endpoint show --name taxi-tip --type batch"],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "list",
      summary: "List batch endpoints",
      flags: (c) => c.requiredFlag(typeOption()),
      schema: z.object({}),
      run: async (_o, context) => ({ value: await listAll(context.api, routes.endpoints) }),
      examples: ["batchfn endpoint list --type batch -o table"],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "update",
      summary: "Add a deployment (--deployment-file) and/or route all traffic to one (--traffic D:100)",
      noWait: true,
      flags: (c) =>
        c
          .requiredFlag(typeOption())
          .requiredFlag("-n, --name <endpoint>", "endpoint name")
          .option(
            "--deployment-file <file>",
            "deployment YAML to add; local model and code folders are uploaded",
          )
          .option("--traffic <deployment:share>", "<deployment>:100 makes it the default"),
      schema: z.object({
        name: z.string(),
        deploymentFile: z.string().optional(),
        traffic: z.string().optional(),
      }),
      run: async (o, context, command) => {
        if (o.deploymentFile === undefined && o.traffic === undefined) {
          usage(command, "give --deployment-file and/or --traffic");
        }
        const full = o.traffic === undefined ? undefined : readTraffic(command, o.traffic);
        if (o.deploymentFile !== undefined) {
          await putDeployment(context, command, { file: o.deploymentFile, endpointName: o.name }, "create");
        }
        if (full !== undefined) {
          const current = await context.api.send({ path: routes.endpoint(o.name) });
          const etag = current.headers.get("etag");
          await context.api.send({
            method: "PUT",
            path: routes.endpoint(o.name),
            body: { ...documentOf(current.body), defaults: { deployment_name: full } },
            headers: etag ? { "if-match": etag } : {},
          });
        }
        return { value: await showWithTraffic(context, o.name) };
      },
      examples: [
        "batchfn endpoint update --name taxi-tip --type batch --deployment-file deployment-v2.yml",
        "batchfn endpoint update --name taxi-tip --type batch --traffic taxi-tip-v2:100",
      ],
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
          .requiredFlag(typeOption())
          .requiredFlag("-n, --name <endpoint>", "endpoint name")
          .option("-y, --yes", "do not ask (batchfn never asks)"),
      schema: named,
      run: async (o, context) => {
        await context.api.send({ method: "DELETE", path: routes.endpoint(o.name) });
        context.note(`Deleted batch endpoint '${o.name}'.`);
        return {};
      },
      examples: ["batchfn endpoint delete --name taxi-tip --type batch --yes"],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "invoke",
      summary: "Start a batch scoring job; answers the job (its name: --query name -o tsv)",
      flags: (c) =>
        c
          .requiredFlag(typeOption())
          .requiredFlag("-n, --name <endpoint>", "endpoint name")
          .option(
            "--input-data <data>",
            "a registered data asset, <name>:<version> (azureml: prefix allowed)",
          )
          .option("--input-datastore <datastore>", "the datastore of --input-path (azureml: prefix allowed)")
          .option("--input-path <path>", "a path in --input-datastore, or a public https URL")
          .option("--input-local-path <path>", "a local file or folder (uploaded)")
          .option(
            "--output-datastore <datastore>",
            "the datastore of --output-path (default workspaceblobstore)",
          )
          .option("--output-path <path>", "output folder in --output-datastore (or an azureml:// URI)")
          .option(
            "-d, --deployment-name <deployment>",
            "the deployment to run (default: the one with traffic 100)",
          )
          .option("-m, --mini-batch-size <n>", "files per mini-batch", positiveInteger)
          .option("-c, --instance-count <n>", "instances scoring in parallel", positiveInteger)
          .option("--job-name <job>", "name of the job")
          .option(
            "--set <key=value...>",
            "set an invoke setting: output_file_name=x.csv, retry_settings.max_retries=1, retry_settings.timeout=60, error_threshold=5, logging_level=debug, max_concurrency_per_instance=2",
          ),
      schema: invokeFlags,
      run: async (o, context, command) => {
        if (o.outputDatastore !== undefined && o.outputPath === undefined) {
          usage(command, "--output-datastore needs --output-path (the folder inside the datastore)");
        }
        const settings = {
          endpoint: o.name,
          deployment: o.deploymentName,
          outputPath: o.outputPath === undefined ? undefined : outputUri(o.outputPath, o.outputDatastore),
          jobName: o.jobName,
          miniBatchSize: o.miniBatchSize,
          instanceCount: o.instanceCount,
          set: o.set ?? [],
        };
        const value = await invokeEndpoint(context, settings, () => input2021(context, command, o));
        return { value };
      },
      examples: [
        "batchfn endpoint invoke --name taxi-tip --type batch --input-local-path examples/taxi-tip/data",
        "batchfn endpoint invoke --name taxi-tip --type batch --input-datastore azureml:workspaceblobstore --input-path taxi/ --set retry_settings.max_retries=1",
      ],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "list-jobs",
      summary: "List the jobs of a batch endpoint, newest first",
      flags: (c) => c.requiredFlag(typeOption()).requiredFlag("-n, --name <endpoint>", "endpoint name"),
      schema: named,
      run: (o, context) => listJobs(context, { endpoint: o.name }),
      examples: ["batchfn endpoint list-jobs --name taxi-tip --type batch -o table"],
    },
    runtime,
  );
}
