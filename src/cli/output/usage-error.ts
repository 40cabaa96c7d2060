import { CommanderError } from "commander";

/** The codes of usage errors (exit code 2), by what went wrong on the command line. */
const CODES: Record<string, string> = {
  "commander.unknownCommand": "UnknownCommand",
  "commander.unknownOption": "UnknownArgument",
  "commander.excessArguments": "UnknownArgument",
  "commander.missingArgument": "MissingArgument",
  "commander.optionMissingArgument": "MissingArgument",
  "commander.missingMandatoryOptionValue": "MissingArgument",
  "commander.invalidArgument": "InvalidArgument",
  "commander.conflictingOption": "InvalidArgument",
};

/** Usage errors exit with 2, as az does. */
export const USAGE_EXIT_CODE = 2;

/**
 * A command line that cannot run: an unknown command or flag, a missing or invalid value. Thrown
 * instead of commander's own printing, so every failure reads `ERROR: (Code) message` with the help
 * to run (`usageReport`).
 */
export class UsageError extends CommanderError {
  /** `batch-endpoint show`: the command whose help the hint names ("" for batchfn itself). */
  readonly commandPath: string;
  /** `UnknownCommand`, `UnknownArgument`, `MissingArgument`, `InvalidArgument`, `InvalidParameter`. */
  readonly errorCode: string;
  /** Whether the command is a group (its hint lists its commands) or a leaf (its flags). */
  readonly group: boolean;

  constructor(options: { commandPath: string; message: string; code: string; group: boolean }) {
    const message = options.message
      .replace(/^error: /, "")
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .join(" ");
    super(USAGE_EXIT_CODE, "batchfn.usage", message);
    this.commandPath = options.commandPath;
    this.errorCode = CODES[options.code] ?? options.code;
    this.group = options.group;
  }
}

/** `ERROR: (Code) message` and the help to run, on stderr. */
export function usageReport(error: UsageError): string {
  const command = `batchfn ${error.commandPath}`.trimEnd();
  const hint = error.group
    ? `run '${command} --help' to see its commands.`
    : `run '${command} --help' to see every flag.`;
  return `ERROR: (${error.errorCode}) ${error.message}\nHint: ${hint}\n`;
}
