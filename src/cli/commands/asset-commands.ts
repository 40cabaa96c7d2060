import { isAbsolute, resolve } from "node:path";
import { type Command, Option } from "commander";
import { z } from "zod";
import { BatchfnError } from "../../errors.js";
import { dataType, modelType } from "../../spec/resources.js";
import { readAnswer } from "../api/api-client.js";
import { listAll, routes } from "../api/routes.js";
import type { BatchfnCommand } from "../batchfn-command.js";
import type { CliContext } from "../cli-context.js";
import { addLeaf, type CliRuntime, usage } from "../command-kit.js";
import { loadDocument, overrideField, textField } from "../documents/document-file.js";
import { isLocalPath, uploadDataPath, uploadModelPath } from "../documents/local-paths.js";
import { sendWithUploads, withoutWarnings } from "../documents/send-document.js";

type AssetKind = "models" | "data";

interface AssetFlags {
  file?: string;
  name?: string;
  version?: string;
  path?: string;
  type?: string;
  description?: string;
  set?: string[];
}

const assetFlags = z.object({
  file: z.string().optional(),
  name: z.string().optional(),
  version: z.string().optional(),
  path: z.string().optional(),
  type: z.string().optional(),
  description: z.string().optional(),
  set: z.array(z.string()).optional(),
});

/**
 * Registers a model or data asset version from a file and/or flags (`--name`, `--version`,
 * `--path`, `--type`); a local path is uploaded first. Without a version it takes the next one, as
 * az does: one more than the highest numeric version of that name (1 for a new name).
 */
async function putAsset(context: CliContext, command: Command, kind: AssetKind, flags: AssetFlags) {
  const answer = await sendWithUploads(context, async (scope) => {
    const loaded = await loadDocument({
      ...flags,
      kind: kind === "models" ? "model" : "data asset",
      cwd: context.io.cwd,
    });
    const { document } = loaded;
    overrideField(document, "name", flags.name);
    overrideField(document, "version", flags.version);
    overrideField(document, "type", flags.type);
    overrideField(document, "description", flags.description);
    if (flags.path !== undefined) {
      const local = isLocalPath(flags.path) && !isAbsolute(flags.path);
      document.path = local ? resolve(context.io.cwd, flags.path) : flags.path;
      delete document.local_path;
    }
    const name = textField(document, "name");
    if (name === undefined) usage(command, "give --name, or a --file whose document has a name");
    if (textField(document, "version") === undefined) {
      document.version = await nextVersion(context, kind, name);
      context.warn(`version: not given; version ${document.version} (the next one) is used`);
    }
    if (kind === "models") await uploadModelPath(loaded, scope);
    else await uploadDataPath(loaded, scope);
    return { method: "PUT", path: routes.assetVersion(kind, name, String(document.version)), body: document };
  });
  return withoutWarnings(context, answer.body);
}

/** One more than the highest numeric version registered under `name`; "1" when there is none. */
async function nextVersion(context: CliContext, kind: AssetKind, name: string): Promise<string> {
  let versions: unknown[];
  try {
    versions = await listAll(context.api, routes.assetVersions(kind, name));
  } catch (thrown) {
    if (thrown instanceof BatchfnError && thrown.status === 404) return "1";
    throw thrown;
  }
  const numbers = readAnswer(
    z.array(z.object({ version: z.string() })),
    versions,
    `the versions of '${name}'`,
  )
    .map((item) => item.version)
    .filter((version) => /^\d+$/.test(version))
    .map(Number);
  return String(Math.max(0, ...numbers) + 1);
}

/** `model create|show|list` and `data create|show|list`. */
export function registerAssetCommands(program: BatchfnCommand, runtime: CliRuntime): void {
  const families = [
    { command: "model", kind: "models", label: "model", types: modelType.options, example: "taxi-tip-model" },
    { command: "data", kind: "data", label: "data asset", types: dataType.options, example: "taxi-data" },
  ] as const;
  for (const family of families) {
    const group = program
      .command(family.command)
      .description(
        `${family.label === "model" ? "Models" : "Data assets"} (az ml ${family.command}): create, show, list`,
      );
    addLeaf(
      group,
      {
        name: "create",
        summary: `Register a ${family.label} version; a local path is uploaded`,
        flags: (c) =>
          c
            .option("-f, --file <file>", `${family.label} YAML`)
            .option("-n, --name <name>", "name (wins over the file's)")
            .option("-v, --version <version>", "version (default: the next one, 1 for a new name)")
            .option("-p, --path <path>", "where the files are: a local path (uploaded) or a URI")
            .addOption(new Option("-t, --type <type>", "type").choices([...family.types]))
            .option("-d, --description <text>", "description")
            .option("--set <key=value...>", "set a field (dotted keys, repeatable)"),
        schema: assetFlags,
        run: async (o, context, command) => ({ value: await putAsset(context, command, family.kind, o) }),
        examples: [
          `batchfn ${family.command} create --name ${family.example} --version 1 --path ./${family.command === "model" ? "model" : "data"}`,
        ],
      },
      runtime,
    );
    addLeaf(
      group,
      {
        name: "show",
        summary: `Show a ${family.label} version (or the newest, --label latest)`,
        flags: (c) =>
          c
            .requiredFlag("-n, --name <name>", "name")
            .option("-v, --version <version>", "version")
            .option("-l, --label <label>", "latest: the newest version"),
        schema: z.object({ name: z.string(), version: z.string().optional(), label: z.string().optional() }),
        run: async (o, context, command) => {
          if (o.label !== undefined && o.label !== "latest") usage(command, "--label can only be latest");
          const version = o.version ?? (o.label === undefined ? undefined : "latest");
          if (version === undefined) usage(command, "give --version or --label latest");
          return {
            value: (await context.api.send({ path: routes.assetVersion(family.kind, o.name, version) })).body,
          };
        },
        examples: [`batchfn ${family.command} show --name ${family.example} --version 1`],
      },
      runtime,
    );
    addLeaf(
      group,
      {
        name: "list",
        summary: `List ${family.label} versions (all, or those of --name)`,
        flags: (c) => c.option("-n, --name <name>", "only the versions of this name"),
        schema: z.object({ name: z.string().optional() }),
        run: async (o, context) => ({
          value: await listAll(
            context.api,
            o.name === undefined ? routes.assets(family.kind) : routes.assetVersions(family.kind, o.name),
          ),
        }),
        examples: [`batchfn ${family.command} list -o table`],
      },
      runtime,
    );
  }
  registerDatastoreCommands(program, runtime);
}

function registerDatastoreCommands(program: BatchfnCommand, runtime: CliRuntime): void {
  const group = program
    .command("datastore")
    .description("Datastores (az ml datastore): blob containers that azureml:// paths name");
  addLeaf(
    group,
    {
      name: "create",
      summary: "Register (or replace) a blob datastore",
      flags: (c) =>
        c
          .option("-f, --file <file>", "datastore YAML")
          .option("-n, --name <name>", "name (wins over the file's)")
          .option("--set <key=value...>", "set a field (dotted keys, repeatable)"),
      schema: z.object({
        file: z.string().optional(),
        name: z.string().optional(),
        set: z.array(z.string()).optional(),
      }),
      run: async (o, context, command) => {
        const loaded = await loadDocument({ ...o, kind: "datastore", cwd: context.io.cwd });
        overrideField(loaded.document, "name", o.name);
        const name = textField(loaded.document, "name");
        if (name === undefined) usage(command, "give --name, or a --file whose document has a name");
        const answer = await context.api.send({
          method: "PUT",
          path: routes.datastore(name),
          body: loaded.document,
        });
        return { value: withoutWarnings(context, answer.body) };
      },
      examples: ["batchfn datastore create --file datastore.yml"],
    },
    runtime,
  );
  addLeaf(
    group,
    {
      name: "show",
      summary: "Show a datastore",
      flags: (c) => c.requiredFlag("-n, --name <name>", "name"),
      schema: z.object({ name: z.string() }),
      run: async (o, context) => ({
        value: (await context.api.send({ path: routes.datastore(o.name) })).body,
      }),
      examples: ["batchfn datastore show --name workspaceblobstore"],
    },
    runtime,
  );
  addLeaf(
    group,
    {
      name: "list",
      summary: "List datastores",
      flags: () => {},
      schema: z.object({}),
      run: async (_o, context) => ({ value: await listAll(context.api, routes.datastores) }),
      examples: ["batchfn datastore list -o table"],
    },
    runtime,
  );
}
