import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Option } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchfnCommand } from "../../../src/cli/batchfn-command.js";
import { COMMON_FLAG_NAMES } from "../../../src/cli/command-kit.js";
import { buildProgram } from "../../../src/cli/program.js";
import { runCli } from "../../../src/cli/run-cli.js";
import { type CliWorld, startCliWorld } from "./cli-fixture.js";

/**
 * Every command of the CLI, taken from its own command tree (so a new command is swept too), run
 * in-process against the real app with empty and malformed arguments: each failure is one
 * `ERROR: (Code) message` with a code that names the problem (never `InternalError`), exit code 1
 * or 2, and never a stack trace or a raw list of schema issues.
 */

let world: CliWorld;
let cwd: string;

beforeAll(async () => {
  world = await startCliWorld();
  cwd = await mkdtemp(join(tmpdir(), "batchfn-sweep-"));
}, 120_000);

afterAll(async () => {
  await world?.app.stop();
});

interface Run {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {
      BATCHFN_URL: world.app.url,
      BATCHFN_KEY: world.key,
      BATCHFN_CACHE_DIR: world.cacheDir,
      BATCHFN_POLL_MS: "100",
      BATCHFN_PROGRESS: "off",
    },
    cwd,
  });
  return { args, code, stdout, stderr };
}

const RAW = [
  /^\s+at .+:\d+:\d+\)?$/m, // a stack frame
  /ZodError|"expected":|"path": \[|"code": "invalid_/, // a raw zod issue list
  /\[object Object\]|undefined/, // a value printed as it never should be
];

/** A failure as a person reads it; answers the code it printed. */
function expectReadableFailure(run: Run): string {
  const what = `batchfn ${run.args.map((arg) => JSON.stringify(arg)).join(" ")}\n${run.stderr}`;
  expect([1, 2], what).toContain(run.code);
  const line = run.stderr.split("\n").find((text) => text.startsWith("ERROR: "));
  expect(line, what).toMatch(/^ERROR: \([A-Z][A-Za-z]+\) \S/);
  for (const pattern of RAW) expect(run.stderr, what).not.toMatch(pattern);
  expect(run.stdout, what).toBe("");
  const code = /^ERROR: \(([A-Za-z]+)\)/.exec(line ?? "")?.[1] ?? "";
  expect(code, what).not.toBe("InternalError");
  return code;
}

/** The leaf commands of the CLI, with their own flags that take a value. */
function leaves(): { path: string[]; required: Option[]; valued: Option[] }[] {
  const program = buildProgram({
    io: { stdout: process.stdout, stderr: process.stderr, env: {}, cwd },
    exitCode: 0,
  });
  const found: { path: string[]; required: Option[]; valued: Option[] }[] = [];
  for (const group of program.commands) {
    for (const leaf of group.commands) {
      const own = leaf.options.filter((option) => !COMMON_FLAG_NAMES.includes(option.attributeName()));
      found.push({
        path: [group.name(), leaf.name()],
        required: leaf instanceof BatchfnCommand ? leaf.requiredFlags : [],
        valued: own.filter((option) => option.required || option.optional),
      });
    }
  }
  return found;
}

const flag = (option: Option) => option.long ?? option.short ?? option.flags;
const MALFORMED = ["a/b", "../nowhere", "{", "-1", "x".repeat(300), "a\u0001b"];

describe("every command, with empty and malformed arguments", { timeout: 600_000 }, () => {
  it("covers the whole command tree", () => {
    const paths = leaves().map((leaf) => leaf.path.join(" "));
    expect(paths.length).toBeGreaterThan(30);
    expect(paths).toEqual(expect.arrayContaining(["job stream", "batch-endpoint invoke", "model create"]));
  });

  it("refuses an empty value of any flag as a usage error naming the flag (job stream -n '')", async () => {
    const stream = await cli(["job", "stream", "-n", ""]);
    expect(stream).toMatchObject({ code: 2, stdout: "" });
    expect(stream.stderr).toBe(
      "ERROR: (InvalidArgument) --name: must not be empty\nHint: run 'batchfn job stream --help' to see every flag.\n",
    );
    for (const leaf of leaves()) {
      for (const option of leaf.valued) {
        if (option.attributeName() === "description") continue;
        const args = [...leaf.path];
        for (const other of leaf.required) if (other !== option) args.push(flag(other), "a/b");
        args.push(flag(option), "");
        const run = await cli(args);
        expect(expectReadableFailure(run), run.stderr).toMatch(/InvalidArgument|MissingArgument/);
        expect(run.code).toBe(2);
      }
    }
  });

  it("reports a missing required flag, and never fails unreadably without any flag", async () => {
    for (const leaf of leaves()) {
      const run = await cli(leaf.path);
      if (run.code === 0) continue;
      expectReadableFailure(run);
    }
  });

  it("reports malformed values (names with '/', '..', control characters, huge, JSON-ish) readably", async () => {
    let failures = 0;
    for (const leaf of leaves()) {
      for (const option of leaf.valued) {
        for (const value of MALFORMED) {
          const args = [...leaf.path];
          for (const other of leaf.required) if (other !== option) args.push(flag(other), "a/b");
          args.push(flag(option), value);
          const run = await cli(args);
          if (run.code === 0) continue;
          expectReadableFailure(run);
          failures += 1;
        }
      }
    }
    expect(failures).toBeGreaterThan(100);
  });

  it("reports unknown commands, groups without a command and unknown flags readably", async () => {
    expect(expectReadableFailure(await cli(["batch-endpoit", "list"]))).toBe("UnknownCommand");
    expect(expectReadableFailure(await cli(["job", "watch"]))).toBe("UnknownCommand");
    expect(expectReadableFailure(await cli(["job", "list", "--bogus"]))).toBe("UnknownArgument");
    const group = await cli(["job"]);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain("ERROR: (MissingCommand) 'batchfn job' needs a command: show, list,");
  });
});
