import { CommanderError } from "commander";
import type { CliIo } from "./cli-context.js";
import type { CliRuntime } from "./command-kit.js";
import { errorReport } from "./output/report-error.js";
import { USAGE_EXIT_CODE, UsageError, usageReport } from "./output/usage-error.js";
import { buildProgram } from "./program.js";

/**
 * Runs the CLI on `args` (without `node` and the script) and answers its exit code: 0 done,
 * 1 failed (a `job stream` whose job failed or was canceled), 2 bad usage. Every failure is printed
 * as `ERROR: (Code) message` with a hint where one helps; nothing it throws reaches the caller.
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const runtime: CliRuntime = { io, exitCode: 0 };
  const program = buildProgram(runtime);
  try {
    await program.parseAsync([...args], { from: "user" });
    return runtime.exitCode;
  } catch (thrown) {
    if (thrown instanceof UsageError) {
      io.stderr.write(usageReport(thrown));
      return USAGE_EXIT_CODE;
    }
    if (thrown instanceof CommanderError) {
      if (thrown.code === "commander.helpDisplayed" || thrown.code === "commander.version") return 0;
      if (thrown.code === "commander.help") {
        // A group named without a command (`batchfn batch-endpoint`): its help is on stderr.
        const group = program.commands.find((command) => command.name() === args[0]);
        const name = group ? `batchfn ${group.name()}` : "batchfn";
        const commands = (group ?? program).commands.map((command) => command.name()).join(", ");
        io.stderr.write(`ERROR: (MissingCommand) '${name}' needs a command: ${commands}.\n`);
        return USAGE_EXIT_CODE;
      }
      return thrown.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    }
    io.stderr.write(errorReport(thrown, args.includes("--debug")));
    return 1;
  }
}
