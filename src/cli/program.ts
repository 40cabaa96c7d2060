import { BatchfnCommand } from "./batchfn-command.js";
import { versionText } from "./cli-version.js";
import type { CliRuntime } from "./command-kit.js";
import { registerAssetCommands } from "./commands/asset-commands.js";
import { registerBatchDeploymentCommands } from "./commands/batch-deployment-commands.js";
import { registerBatchEndpointCommands } from "./commands/batch-endpoint-commands.js";
import { registerComputeCommands } from "./commands/compute-commands.js";
import { registerEndpoint2021Commands } from "./commands/endpoint-2021-commands.js";
import { registerEndpointKeyCommands } from "./commands/endpoint-key-commands.js";
import { registerJobCommands } from "./commands/job-commands.js";
import { helpReference } from "./help-reference.js";

/**
 * The `batchfn` command tree: the az ml v2 families (batch-endpoint, batch-deployment, job, model,
 * data, datastore, compute) and the 2021 preview `endpoint ... --type batch`. Errors of the parser (unknown
 * command or flag, missing required flag) are thrown as `UsageError`s, not printed or exited, so
 * `runCli` prints them and decides the exit code.
 */
export function buildProgram(runtime: CliRuntime): BatchfnCommand {
  const program = new BatchfnCommand("batchfn");
  program
    .description("Batch scoring on Azure Functions, driven with the az ml batch endpoint commands")
    .configureOutput({
      writeOut: (text) => runtime.io.stdout.write(text),
      writeErr: (text) => runtime.io.stderr.write(text),
    })
    .version(versionText(), "--version", "print the versions of batchfn and Node.js")
    // `batchfn --version` only before a command: `model create --version 2` is the model's version.
    .enablePositionalOptions()
    .exitOverride()
    .showSuggestionAfterError();
  registerEndpointKeyCommands(registerBatchEndpointCommands(program, runtime), runtime);
  registerBatchDeploymentCommands(program, runtime);
  registerJobCommands(program, runtime);
  registerAssetCommands(program, runtime);
  registerComputeCommands(program, runtime);
  registerEndpoint2021Commands(program, runtime);
  program.addHelpText("after", () => helpReference(program));
  return program;
}
