import type { Command } from "commander";
import { z } from "zod";
import { listAll, routes } from "../api/routes.js";
import type { BatchfnCommand } from "../batchfn-command.js";
import type { CliContext } from "../cli-context.js";
import { addLeaf, type CliRuntime, usage } from "../command-kit.js";
import { loadDocument, overrideField, textField } from "../documents/document-file.js";
import { uploadDeploymentPaths } from "../documents/local-paths.js";
import { requirePythonRuntime } from "../documents/python-runtime.js";
import { sendWithUploads, withoutWarnings } from "../documents/send-document.js";
import { documentOf } from "../documents/shown-resource.js";
import { positiveInteger } from "./flag-parsers.js";
import { listJobs } from "./job-commands.js";

/** The flags that create or change a deployment. */
export interface DeploymentFlags {
  file?: string;
  name?: string;
  endpointName?: string;
  set?: string[];
  setDefault?: boolean;
}

/**
 * Creates, replaces or changes a deployment: the document of `--file` (or, for an update, the
 * deployment as it is now), with `--set`, `--name` and `--endpoint-name` applied; its local model
 * and code folders are uploaded first. `--set-default` makes it the endpoint's default.
 */
export async function putDeployment(
  context: CliContext,
  command: Command,
  flags: DeploymentFlags,
  mode: "create" | "update",
): Promise<unknown> {
  const answer = await sendWithUploads(context, async (scope) => {
    let base: Record<string, unknown> | undefined;
    let etag: string | undefined;
    if (mode === "update" && flags.file === undefined) {
      if (flags.name === undefined || flags.endpointName === undefined) {
        usage(command, "give --name and --endpoint-name (or a --file naming both)");
      }
      const current = await context.api.send({ path: routes.deployment(flags.endpointName, flags.name) });
      base = documentOf(current.body);
      etag = current.headers.get("etag") ?? undefined;
    }
    const loaded = await loadDocument({ ...flags, kind: "batch deployment", cwd: context.io.cwd, base });
    overrideField(loaded.document, "name", flags.name);
    overrideField(loaded.document, "endpoint_name", flags.endpointName);
    const name = textField(loaded.document, "name");
    const endpoint = textField(loaded.document, "endpoint_name");
    if (name === undefined) usage(command, "give --name, or a --file whose document has a name");
    if (endpoint === undefined)
      usage(command, "give --endpoint-name, or a --file whose document has endpoint_name");
    await requirePythonRuntime(context.api, loaded.document);
    await uploadDeploymentPaths(loaded, scope, endpoint);
    return {
      method: "PUT",
      path: routes.deployment(endpoint, name),
      query: { set_default: flags.setDefault ? "true" : undefined },
      body: loaded.document,
      headers: etag ? { "if-match": etag } : undefined,
    };
  });
  return withoutWarnings(context, answer.body);
}

const deploymentFlags = z.object({
  file: z.string().optional(),
  name: z.string().optional(),
  endpointName: z.string().optional(),
  set: z.array(z.string()).optional(),
  setDefault: z.boolean().default(false),
});

const names = z.object({ name: z.string(), endpointName: z.string() });

/** `batch-deployment create|show|list|update|delete`. */
export function registerBatchDeploymentCommands(program: BatchfnCommand, runtime: CliRuntime): void {
  const group = program
    .command("batch-deployment")
    .description("Batch deployments (az ml batch-deployment): create, show, list, update, delete");

  const documentFlags = (c: BatchfnCommand) =>
    c
      .option(
        "-f, --file <file>",
        "deployment YAML (v2 or 2021 form); local model and code folders are uploaded",
      )
      .option("-n, --name <deployment>", "deployment name (wins over the file's)")
      .option("-e, --endpoint-name <endpoint>", "endpoint name (wins over the file's endpoint_name)")
      .option(
        "--set <key=value...>",
        "set a field, e.g. settings.mini_batch_size=5 (dotted keys, repeatable)",
      )
      .option("--set-default", "make it the endpoint's default deployment");

  addLeaf(
    group,
    {
      name: "create",
      summary: "Create (or replace) a batch deployment from a YAML file, uploading its model and code",
      noWait: true,
      flags: documentFlags,
      schema: deploymentFlags,
      run: async (o, context, command) => {
        if (o.file === undefined) usage(command, "--file is required to create a deployment");
        return { value: await putDeployment(context, command, o, "create") };
      },
      examples: [
        "batchfn batch-deployment create --file examples/taxi-tip/deployment.yml --endpoint-name taxi-tip --set-default",
      ],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "show",
      summary: "Show a batch deployment",
      flags: (c) =>
        c
          .requiredFlag("-n, --name <deployment>", "deployment name")
          .requiredFlag("-e, --endpoint-name <endpoint>", "endpoint name"),
      schema: names,
      run: async (o, context) => ({
        value: (await context.api.send({ path: routes.deployment(o.endpointName, o.name) })).body,
      }),
      examples: ["batchfn batch-deployment show --name taxi-tip-onnx --endpoint-name taxi-tip"],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "list",
      summary: "List the deployments of a batch endpoint",
      flags: (c) => c.requiredFlag("-e, --endpoint-name <endpoint>", "endpoint name"),
      schema: z.object({ endpointName: z.string() }),
      run: async (o, context) => ({ value: await listAll(context.api, routes.deployments(o.endpointName)) }),
      examples: ["batchfn batch-deployment list --endpoint-name taxi-tip -o table"],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "list-jobs",
      summary: "List the jobs of a batch deployment, newest first",
      flags: (c) =>
        c
          .requiredFlag("-n, --name <deployment>", "deployment name")
          .requiredFlag("-e, --endpoint-name <endpoint>", "endpoint name")
          .option("-r, --max-results <n>", "list at most n jobs", positiveInteger),
      schema: names.extend({ maxResults: z.number().optional() }),
      run: (o, context) =>
        listJobs(context, { endpoint: o.endpointName, deployment: o.name, max: o.maxResults }),
      examples: ["batchfn batch-deployment list-jobs --name taxi-tip-onnx --endpoint-name taxi-tip -o table"],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "update",
      summary: "Update a batch deployment: --set fields of it as it is, or apply a --file",
      noWait: true,
      flags: documentFlags,
      schema: deploymentFlags,
      run: async (o, context, command) => ({ value: await putDeployment(context, command, o, "update") }),
      examples: [
        "batchfn batch-deployment update --name taxi-tip-onnx --endpoint-name taxi-tip --set settings.mini_batch_size=5",
      ],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "delete",
      summary: "Delete a batch deployment (not the endpoint's default)",
      noWait: true,
      flags: (c) =>
        c
          .requiredFlag("-n, --name <deployment>", "deployment name")
          .requiredFlag("-e, --endpoint-name <endpoint>", "endpoint name")
          .option("-y, --yes", "do not ask (batchfn never asks)"),
      schema: names,
      run: async (o, context) => {
        await context.api.send({ method: "DELETE", path: routes.deployment(o.endpointName, o.name) });
        context.note(`Deleted batch deployment '${o.name}' of endpoint '${o.endpointName}'.`);
        return {};
      },
      examples: ["batchfn batch-deployment delete --name old --endpoint-name taxi-tip --yes"],
    },
    runtime,
  );
}
