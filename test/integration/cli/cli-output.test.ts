import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { loadConfig } from "../../../src/config.js";
import { examplePath } from "../examples/example-files.js";
import { type CliWorld, expectExit, jsonOf, startCliWorld, tsvValue } from "./cli-fixture.js";

/** Output formats, --query, --set, and usage errors with their exit code and hint. */

let world: CliWorld;
let dataContainer: string;

beforeAll(async () => {
  world = await startCliWorld();
  dataContainer = loadConfig(world.app.env).containers.data;
}, 120_000);

afterAll(async () => {
  await world?.app.stop();
});

describe("output formats and --query", { timeout: 60_000 }, () => {
  it("prints JSON by default and the same resource as YAML with -o yaml", async () => {
    const json = jsonOf(await world.cli(["datastore", "show", "--name", "workspaceblobstore"]));
    expect(json).toMatchObject({ name: "workspaceblobstore", container_name: dataContainer });
    const yaml = expectExit(
      await world.cli(["datastore", "show", "-n", "workspaceblobstore", "-o", "yaml"]),
      0,
    );
    expect(parseYaml(yaml.stdout)).toEqual(json);
  });

  it("prints tab-separated scalar fields with -o tsv, one line per element of a list", async () => {
    const row = expectExit(
      await world.cli(["datastore", "show", "-n", "workspaceblobstore", "-o", "tsv"]),
      0,
    ).stdout;
    expect(row.endsWith("\n")).toBe(true);
    expect(row.trimEnd().split("\t")).toEqual(
      expect.arrayContaining(["workspaceblobstore", dataContainer, "azure_blob"]),
    );
    expect(row).not.toContain("{");
    const names = tsvValue(await world.cli(["datastore", "list", "--query", "[].name", "-o", "tsv"]));
    expect(names).toBe("workspaceartifactstore\nworkspaceblobstore");
  });

  it("prints a table with titled columns and a line of dashes with -o table", async () => {
    const table = expectExit(await world.cli(["datastore", "list", "-o", "table"]), 0)
      .stdout.trimEnd()
      .split("\n");
    expect(table[0]).toMatch(/^Name\s+Type\s+ContainerName/);
    expect(table[1]).toMatch(/^-+ +-+ +-+/);
    expect(table.slice(2).map((line) => line.split(/\s+/)[0])).toEqual([
      "workspaceartifactstore",
      "workspaceblobstore",
    ]);
  });

  it("applies JMESPath: a projection with a filter, and a query matching nothing prints nothing", async () => {
    const container = tsvValue(
      await world.cli([
        "datastore",
        "list",
        "--query",
        "[?name=='workspaceblobstore'].container_name | [0]",
        "-o",
        "tsv",
      ]),
    );
    expect(container).toBe(dataContainer);
    const shaped = jsonOf(
      await world.cli([
        "datastore",
        "show",
        "-n",
        "workspaceblobstore",
        "--query",
        "{store: name, container: container_name}",
      ]),
    );
    expect(shaped).toEqual({ store: "workspaceblobstore", container: dataContainer });
    const nothing = expectExit(
      await world.cli(["datastore", "show", "-n", "workspaceblobstore", "--query", "missing"]),
      0,
    );
    expect(nothing.stdout).toBe("");
  });
});

describe("--set", { timeout: 120_000 }, () => {
  it("sets dotted keys, repeatable and several per flag, values read as JSON when they are JSON", async () => {
    const created = jsonOf(
      await world.cli([
        "batch-endpoint",
        "create",
        "--name",
        "set-test",
        "--set",
        "description=tips of taxi trips",
        "--set",
        "tags.team=risk",
        'tags.cost="5"',
        "auth_mode=key",
      ]),
    );
    expect(created).toMatchObject({
      name: "set-test",
      description: "tips of taxi trips",
      tags: { team: "risk", cost: "5" },
      auth_mode: "key",
    });
    const refused = await world.cli([
      "batch-endpoint",
      "create",
      "--name",
      "set-test-2",
      "--set",
      "tags.cost=5",
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("ERROR: (InvalidSpec)");
    expect(refused.stderr).toContain("tags.cost");
  });

  it("updates a deployment as it is: only the fields set change", async () => {
    expectExit(
      await world.cli([
        "batch-deployment",
        "create",
        "-f",
        examplePath("taxi-tip", "deployment.yml"),
        "--endpoint-name",
        "set-test",
        "--name",
        "dep",
      ]),
      0,
    );
    const updated = jsonOf(
      await world.cli([
        "batch-deployment",
        "update",
        "--name",
        "dep",
        "--endpoint-name",
        "set-test",
        "--set",
        "settings.mini_batch_size=7",
        "settings.retry_settings.timeout=45",
        "tags.stage=canary",
      ]),
    );
    expect(updated).toMatchObject({
      settings: {
        mini_batch_size: 7,
        max_concurrency_per_instance: 2,
        retry_settings: { max_retries: 3, timeout: 45 },
      },
      tags: { example: "taxi-tip", stage: "canary" },
      model: { name: "taxi-tip-model", version: "1" },
    });
  });

  it("refuses malformed --set values as usage errors (exit 2), naming the flag", async () => {
    const cases = [
      ["batch-endpoint", "create", "--name", "x-set", "--set", "novalue"],
      ["batch-endpoint", "create", "--name", "x-set", "--set", "a..b=1"],
      ["batch-endpoint", "create", "--name", "x-set", "--set", "description=a", "description.more=1"],
    ];
    const results = await Promise.all(cases.map((args) => world.cli(args)));
    for (const result of results) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^ERROR: \(InvalidParameter\) --set '/m);
      expect(result.stderr).toContain("Hint: run 'batchfn batch-endpoint create --help' to see every flag.");
    }
    expect(results[2]?.stderr).toContain("'description' is a value, not a mapping");
  });
});

describe("usage errors: exit code 2 and a hint", { timeout: 60_000 }, () => {
  it("names an unknown flag with a suggestion, before complaining about a missing required one", async () => {
    const result = await world.cli(["batch-endpoint", "show", "--nme", "taxi"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "ERROR: (UnknownArgument) unknown option '--nme' (Did you mean --name?)\n" +
        "Hint: run 'batchfn batch-endpoint show --help' to see every flag.\n",
    );
    expect(result.stdout).toBe("");
  });

  it("refuses missing required flags, unknown commands and invalid values", async () => {
    const cases: Array<[string[], string]> = [
      [
        ["batch-endpoint", "show"],
        "ERROR: (MissingArgument) required option '-n, --name <endpoint>' not specified",
      ],
      [
        ["endpoint", "show", "--name", "x"],
        "ERROR: (MissingArgument) required option '-t, --type <type>' not specified",
      ],
      [["endpoint", "show", "--name", "x", "--type", "online"], "Allowed choices are batch."],
      [["batch-endpoit", "list"], "(Did you mean batch-endpoint?)"],
      [
        ["batch-endpoint", "invoke", "-n", "x", "--input", "y", "-m", "0"],
        "'-m, --mini-batch-size <n>' argument '0' is invalid",
      ],
      [["job", "list", "-o", "xml"], "Allowed choices are json, tsv, table, yaml, none."],
      [
        ["job", "show", "-n", "x", "--query", "[["],
        "ERROR: (InvalidParameter) --query is not a valid JMESPath expression",
      ],
      [
        ["job", "download", "-n", "x", "--output-name", "other", "--all"],
        "give --output-name or --all, not both",
      ],
      [
        ["endpoint", "invoke", "-n", "x", "--type", "batch"],
        "ERROR: (InvalidArgument) give one input: --input-data",
      ],
      [
        [
          "endpoint",
          "invoke",
          "-n",
          "x",
          "--type",
          "batch",
          "--input-data",
          "d:1",
          "--input-local-path",
          ".",
        ],
        "(got --input-data and --input-local-path)",
      ],
      [["batch-endpoint", "list", "extra"], "ERROR: (UnknownArgument) too many arguments"],
    ];
    const results = await Promise.all(cases.map(([args]) => world.cli(args)));
    results.forEach((result, index) => {
      const [args, message] = cases[index] ?? [[], ""];
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toContain(message);
      expect(result.stderr, args.join(" ")).toMatch(
        /^ERROR: \((InvalidArgument|MissingArgument|UnknownArgument|UnknownCommand|InvalidParameter)\) /,
      );
      expect(result.stderr, args.join(" ")).toMatch(/\nHint: run 'batchfn .*--help'/);
    });
  });

  it("lists every command and its flags in --help, and each command's flags in its own help", async () => {
    const help = expectExit(await world.cli(["--help"]), 0).stdout;
    const commands = [
      "batch-endpoint create",
      "batch-endpoint show",
      "batch-endpoint list",
      "batch-endpoint update",
      "batch-endpoint delete",
      "batch-endpoint invoke",
      "batch-endpoint list-jobs",
      "batch-endpoint get-credentials",
      "batch-endpoint regenerate-keys",
      "batch-deployment create",
      "batch-deployment show",
      "batch-deployment list",
      "batch-deployment update",
      "batch-deployment delete",
      "batch-deployment list-jobs",
      "job show",
      "job list",
      "job stream",
      "job cancel",
      "job download",
      "model create",
      "model show",
      "model list",
      "data create",
      "data show",
      "data list",
      "datastore create",
      "datastore show",
      "datastore list",
      "endpoint create",
      "endpoint show",
      "endpoint update",
      "endpoint delete",
      "endpoint invoke",
    ];
    for (const command of commands) expect(help).toMatch(new RegExp(`^  ${command}( |$)`, "m"));
    expect(help).toMatch(
      /^ {2}batch-endpoint invoke --name\/-n <endpoint> \[--input <input>\] \[--input-type <type>\]/m,
    );
    expect(help).toContain("[--display-name <name>] [--experiment-name <name>] [--tags <key=value...>]");
    expect(help).toMatch(
      /^ {2}batch-deployment list-jobs --name\/-n <deployment> --endpoint-name\/-e <endpoint>/m,
    );
    expect(help).toMatch(/^ {2}batch-endpoint show --name\/-n <endpoint> \[--web\]/m);
    expect(help).toContain("[--set-default]");
    expect(help).toContain("--input-local-path <path>");
    expect(help).toMatch(/-o, --output <format>/);
    const invokeHelp = expectExit(await world.cli(["endpoint", "invoke", "--help"]), 0).stdout;
    for (const flag of [
      "--input-data",
      "--input-datastore",
      "--input-path",
      "--input-local-path",
      "--output-datastore",
      "--output-path",
      "--mini-batch-size",
      "--instance-count",
      "--set",
    ]) {
      expect(invokeHelp).toContain(flag);
    }
  });
});
