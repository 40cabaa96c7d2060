import type { Option } from "commander";
import { BatchfnCommand } from "./batchfn-command.js";
import { COMMON_FLAG_NAMES } from "./command-kit.js";

/**
 * The text after `batchfn --help`: every command with its own flags (required ones bare, optional
 * ones in brackets), then the flags every command accepts. Built from the command tree itself, so
 * it cannot drift from what the parser accepts.
 */
export function helpReference(program: BatchfnCommand): string {
  const lines = ["", "Every command and its flags (batchfn <command> --help shows each flag's meaning):"];
  let common: readonly Option[] = [];
  for (const group of program.commands) {
    for (const leaf of group.commands) {
      const own = leaf.options.filter((option) => !COMMON_FLAG_NAMES.includes(option.attributeName()));
      common = leaf.options.filter((option) => COMMON_FLAG_NAMES.includes(option.attributeName()));
      const required = leaf instanceof BatchfnCommand ? leaf.requiredFlags : [];
      const flags = own.map((option) =>
        required.includes(option) ? flagText(option) : `[${flagText(option)}]`,
      );
      lines.push(`  ${group.name()} ${leaf.name()} ${flags.join(" ")}`.trimEnd());
    }
  }
  lines.push("", "Every command also accepts:");
  for (const option of common) lines.push(`  ${option.flags.padEnd(28)} ${option.description}`);
  lines.push(
    "",
    "Environment: BATCHFN_URL (default http://127.0.0.1:7071); credentials from BATCHFN_KEY, BATCHFN_TOKEN or",
    "BATCHFN_TOKEN_COMMAND, else the admin key npm start recorded for that URL (~/.config/batchfn/",
    "local-hosts.json) or .batchfn/local.json. Exit codes: 0 done, 1 failed (job stream: the job",
    "failed or was canceled), 2 bad usage.",
    "",
  );
  return lines.join("\n");
}

function flagText(option: Option): string {
  const names = [option.long, option.short].filter(Boolean).join("/");
  const value = /<[^>]+>/.exec(option.flags)?.[0];
  return value ? `${names} ${value}` : names;
}
