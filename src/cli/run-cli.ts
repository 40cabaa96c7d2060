import { CommanderError } from "commander";
import type { CliIo } from "./cli-context.js";
import { type CliRuntime, USAGE_EXIT_CODE } from "./command-kit.js";
import { buildProgram } from "./program.js";

/**
 * Runs the CLI on `args` (without `node` and the script) and answers its exit code: 0 done,
 * 1 failed (a `job stream` whose job failed or was canceled), 2 bad usage.
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const runtime: CliRuntime = { io, exitCode: 0 };
  const program = buildProgram(runtime);
  try {
    await program.parseAsync([...args], { from: "user" });
    return runtime.exitCode;
  } catch (thrown) {
    if (!(thrown instanceof CommanderError)) throw thrown;
    if (thrown.code === "commander.helpDisplayed" || thrown.code === "commander.version") return 0;
    return thrown.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
  }
}
