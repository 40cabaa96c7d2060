import { z } from "zod";
import { listAll, routes } from "../api/routes.js";
import type { BatchfnCommand } from "../batchfn-command.js";
import { addLeaf, type CliRuntime, usage } from "../command-kit.js";
import { loadDocument, overrideField, textField } from "../documents/document-file.js";
import { withoutWarnings } from "../documents/send-document.js";
import { nonNegativeInteger, positiveInteger } from "./flag-parsers.js";

const createFlags = z.object({
  file: z.string().optional(),
  name: z.string().optional(),
  type: z.string().optional(),
  size: z.string().optional(),
  minInstances: z.number().optional(),
  maxInstances: z.number().optional(),
  idleTimeBeforeScaleDown: z.number().optional(),
  tier: z.string().optional(),
  location: z.string().optional(),
  description: z.string().optional(),
  set: z.array(z.string()).optional(),
});

/**
 * `compute create|show|list|delete` (az ml compute): AmlCompute targets that deployments name
 * (`compute: azureml:cpu-cluster`). Their `max_instances` bounds the instance count of the
 * deployments and jobs that name them; what sizes machines in Azure ML is accepted and shown in
 * `not_used` (docs/cli.md).
 */
export function registerComputeCommands(program: BatchfnCommand, runtime: CliRuntime): void {
  const group = program
    .command("compute")
    .description(
      "Compute targets (az ml compute): names deployments point at, bounding their instance count",
    );

  addLeaf(
    group,
    {
      name: "create",
      summary: "Create (or replace) an AmlCompute target from flags or a YAML file",
      noWait: true,
      flags: (c) =>
        c
          .option("-f, --file <file>", "AmlCompute YAML (type: amlcompute)")
          .option("-n, --name <name>", "compute name (wins over the file's)")
          .option("-t, --type <type>", "amlcompute (the only type batchfn has)")
          .option(
            "--max-instances <n>",
            "the most instances a deployment or job may ask for",
            positiveInteger,
          )
          .option(
            "--min-instances <n>",
            "accepted, not used (the Function App scales itself)",
            nonNegativeInteger,
          )
          .option("--size <size>", "accepted, not used (scoring runs on the Function App)")
          .option(
            "--idle-time-before-scale-down <seconds>",
            "accepted, not used (the Function App scales in by itself)",
            nonNegativeInteger,
          )
          .option("--tier <tier>", "dedicated or low_priority: accepted, not used")
          .option("-l, --location <location>", "accepted, not used")
          .option("-d, --description <text>", "description")
          .option("--set <key=value...>", "set a field of the document (dotted keys, repeatable)"),
      schema: createFlags,
      run: async (o, context, command) => {
        const { document } = await loadDocument({ ...o, kind: "compute", cwd: context.io.cwd });
        overrideField(document, "name", o.name);
        overrideField(document, "type", o.type);
        overrideField(document, "size", o.size);
        overrideField(document, "tier", o.tier);
        overrideField(document, "location", o.location);
        overrideField(document, "description", o.description);
        if (o.maxInstances !== undefined) document.max_instances = o.maxInstances;
        if (o.minInstances !== undefined) document.min_instances = o.minInstances;
        if (o.idleTimeBeforeScaleDown !== undefined) {
          document.idle_time_before_scale_down = o.idleTimeBeforeScaleDown;
        }
        const name = textField(document, "name");
        if (name === undefined) usage(command, "give --name, or a --file whose document has a name");
        const answer = await context.api.send({ method: "PUT", path: routes.compute(name), body: document });
        return { value: withoutWarnings(context, answer.body) };
      },
      examples: [
        "batchfn compute create --name cpu-cluster --type amlcompute --min-instances 0 --max-instances 5",
        "batchfn compute create --file cluster.yml",
      ],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "show",
      summary: "Show a compute target",
      flags: (c) => c.requiredFlag("-n, --name <name>", "compute name"),
      schema: z.object({ name: z.string() }),
      run: async (o, context) => ({ value: (await context.api.send({ path: routes.compute(o.name) })).body }),
      examples: ["batchfn compute show --name cpu-cluster --query max_instances -o tsv"],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "list",
      summary: "List compute targets",
      flags: () => {},
      schema: z.object({}),
      run: async (_o, context) => ({ value: await listAll(context.api, routes.computes) }),
      examples: ["batchfn compute list -o table"],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "delete",
      summary: "Delete a compute target (deployments naming it are no longer bounded by it)",
      noWait: true,
      flags: (c) =>
        c
          .requiredFlag("-n, --name <name>", "compute name")
          .option("-y, --yes", "do not ask (batchfn never asks)"),
      schema: z.object({ name: z.string() }),
      run: async (o, context) => {
        await context.api.send({ method: "DELETE", path: routes.compute(o.name) });
        context.note(`Deleted compute '${o.name}'.`);
        return {};
      },
      examples: ["batchfn compute delete --name cpu-cluster --yes"],
    },
    runtime,
  );
}
