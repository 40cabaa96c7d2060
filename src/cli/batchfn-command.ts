import { Command, Option } from "commander";
import { UsageError } from "./output/usage-error.js";

/**
 * A commander command whose required flags are checked after unknown flags (commander checks them
 * before, so `--nme x` would be reported as a missing `--name` instead of an unknown `--nme`).
 * `requiredFlag` declares one; `missingFlag` finds the first one not given. Its errors are thrown as
 * `UsageError`s, never printed by commander, so every failure reads the same (`usageReport`).
 */
export class BatchfnCommand extends Command {
  readonly requiredFlags: Option[] = [];

  override createCommand(name?: string): BatchfnCommand {
    return new BatchfnCommand(name);
  }

  /** Adds a flag that must be given; its help says "(required)". */
  requiredFlag(flags: string | Option, description = ""): this {
    const option = typeof flags === "string" ? new Option(flags, description) : flags;
    option.description = `${option.description} (required)`;
    this.requiredFlags.push(option);
    return this.addOption(option);
  }

  /** The first required flag without a value, if any. */
  missingFlag(): Option | undefined {
    const values = this.opts();
    return this.requiredFlags.find((option) => values[option.attributeName()] === undefined);
  }

  /** `batch-endpoint show`: the command's words after `batchfn`. */
  path(): string {
    const words: string[] = [];
    for (let command: Command | null = this; command?.parent; command = command.parent) {
      words.unshift(command.name());
    }
    return words.join(" ");
  }

  override error(message: string, options: { code?: string; exitCode?: number } = {}): never {
    throw new UsageError({
      commandPath: this.path(),
      message,
      code: options.code ?? "InvalidArgument",
      group: this.commands.length > 0 || this.parent === null,
    });
  }
}
