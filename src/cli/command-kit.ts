import { type Command, CommanderError, Option } from "commander";
import type { z } from "zod";
import { BatchfnError } from "../errors.js";
import type { BatchfnCommand } from "./batchfn-command.js";
import { type CliContext, type CliIo, commonOptionsSchema, createCliContext } from "./cli-context.js";
import { checkQuery, formatOutput, OUTPUT_FORMATS } from "./output/format-output.js";
import type { TableRow } from "./output/render-table.js";
import { errorReport } from "./output/report-error.js";
import { USAGE_EXIT_CODE } from "./output/usage-error.js";

/** What a command answers: printed on stdout in the chosen format, and its exit code. */
export interface Outcome {
  value?: unknown;
  /** The rows `-o table` shows (the answer's scalar fields otherwise). */
  tableRows?: (value: unknown) => TableRow[];
  exitCode?: number;
}

/** One leaf command (`batch-endpoint create`): its flags, their schema and what it does. */
export interface LeafSpec<S extends z.ZodType> {
  name: string;
  summary: string;
  /** Declares the command's own flags on it (`requiredFlag` for the required ones). */
  flags: (command: BatchfnCommand) => void;
  /** Parses the command's own flags (commander's camelCase keys); a failure is a usage error. */
  schema: S;
  run: (options: z.output<S>, context: CliContext, command: Command) => Promise<Outcome | undefined>;
  /** Shown under the command's help. */
  examples?: string[];
  /**
   * Takes az's `--no-wait`: batchfn's operations finish before the server answers, so it only
   * makes the command print nothing, as az prints nothing for an operation it does not wait for.
   */
  noWait?: boolean;
}

/** The state of one CLI run: where it writes, and the exit code its command set. */
export interface CliRuntime {
  io: CliIo;
  exitCode: number;
}

/** The flags every leaf command accepts, listed once in `batchfn --help`. */
export const COMMON_FLAG_NAMES = [
  "url",
  "output",
  "query",
  "debug",
  "onlyShowErrors",
  "resourceGroup",
  "workspaceName",
  "subscription",
];

/**
 * Adds a leaf command under `parent`. Its flags are parsed by `spec.schema`, then it runs with a
 * context built from the common flags; whatever it throws is reported on stderr and exits 1
 * (2 for usage errors).
 */
export function addLeaf<S extends z.ZodType>(
  parent: BatchfnCommand,
  spec: LeafSpec<S>,
  runtime: CliRuntime,
): BatchfnCommand {
  const command = parent.command(spec.name).description(spec.summary);
  spec.flags(command);
  if (spec.noWait) {
    command.option(
      "--no-wait",
      "print nothing (az: do not wait; batchfn's operations end before they answer)",
    );
  }
  addCommonFlags(command);
  if (spec.examples) {
    command.addHelpText("after", `\nExamples:\n${spec.examples.map((line) => `  ${line}`).join("\n")}\n`);
  }
  command.action(async () => {
    const missing = command.missingFlag();
    if (missing) usage(command, `required option '${missing.flags}' not specified`, "MissingArgument");
    const flags = command.opts();
    const empty = emptyFlag(command);
    if (empty) usage(command, `${empty.long ?? empty.flags}: must not be empty`, "InvalidArgument");
    const common = commonOptionsSchema.safeParse(flags);
    if (!common.success) usage(command, issuesText(common.error));
    const own = spec.schema.safeParse(flags);
    if (!own.success) usage(command, issuesText(own.error));
    const options = common.data;
    try {
      if (options.query !== undefined) checkQuery(options.query);
      const context = await createCliContext(runtime.io, options);
      const outcome = await spec.run(own.data, context, command);
      const noWait = spec.noWait === true && flags.wait === false;
      const text = formatOutput(noWait ? undefined : outcome?.value, {
        format: options.output,
        query: options.query,
        tableRows: outcome?.tableRows,
      });
      if (text !== "") runtime.io.stdout.write(text);
      runtime.exitCode = outcome?.exitCode ?? 0;
    } catch (thrown) {
      if (thrown instanceof CommanderError) throw thrown;
      if (isFlagError(thrown)) usage(command, thrown.message, thrown.code);
      runtime.io.stderr.write(errorReport(thrown, options.debug));
      runtime.exitCode = 1;
    }
  });
  return command;
}

/**
 * Stops with a usage error, exit code 2: `ERROR: (<code>) <message>` and the `--help` to run
 * (output/usage-error.ts). `code` is `InvalidArgument` unless said otherwise.
 */
export function usage(command: Command, message: string, code = "InvalidArgument"): never {
  command.error(message, { exitCode: USAGE_EXIT_CODE, code });
}

/** Flags that may be given as "" (to clear a text); any other flag given "" is a usage error. */
const MAY_BE_EMPTY = new Set(["description"]);

/** The first flag of the command given as an empty (or blank) text, if any. */
function emptyFlag(command: Command): Option | undefined {
  const values = command.opts();
  return command.options.find((option) => {
    const value: unknown = values[option.attributeName()];
    const texts = Array.isArray(value) ? value : [value];
    return (
      !MAY_BE_EMPTY.has(option.attributeName()) &&
      texts.some((text) => typeof text === "string" && text.trim() === "")
    );
  });
}

function addCommonFlags(command: Command): void {
  command.optionsGroup("Global Options:");
  command.option("--url <url>", "the batchfn app (default: $BATCHFN_URL, else http://127.0.0.1:7071)");
  command.addOption(
    new Option("-o, --output <format>", "output format (default: json)")
      .choices(OUTPUT_FORMATS)
      .default("json"),
  );
  command.option("--query <jmespath>", "JMESPath query applied to the answer (https://jmespath.org)");
  command.option("--debug", "print every HTTP request and answer status on stderr");
  command.option("--only-show-errors", "print no warnings, notes or progress");
  command.option("-g, --resource-group <name>", "accepted for az compatibility; ignored");
  command.option("-w, --workspace-name <name>", "accepted for az compatibility; ignored");
  command.option("--subscription <id>", "accepted for az compatibility; ignored");
}

/** A `BatchfnError` about one of the command's flags (`--set`, `--query`...): a usage error. */
function isFlagError(thrown: unknown): thrown is BatchfnError {
  return (
    thrown instanceof BatchfnError &&
    thrown.code === "InvalidParameter" &&
    thrown.details.some((detail) => detail.path?.startsWith("-") === true)
  );
}

function issuesText(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.map(String).join(".");
      return key === "" ? issue.message : `--${kebab(key)}: ${issue.message}`;
    })
    .join("; ");
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
