import { Command, Option } from "commander";

/**
 * A commander command whose required flags are checked after unknown flags (commander checks them
 * before, so `--nme x` would be reported as a missing `--name` instead of an unknown `--nme`).
 * `requiredFlag` declares one; `missingFlag` finds the first one not given.
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
}
