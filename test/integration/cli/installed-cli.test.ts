import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InstalledCli, packAndInstallCli } from "../../../scripts/packaging/install-cli.js";
import { type AppProcess, appSettings, repoRoot, startAppProcess } from "../../support/app-process.js";
import { examplePath } from "../examples/example-files.js";
import {
  type CliResult,
  expectExit,
  expectedTaxiRows,
  runProcess,
  taxiFiles,
  taxiRows,
  tsvValue,
} from "./cli-fixture.js";

/**
 * The CLI as a user installs it: `npm pack ./cli`, `npm install -g` of the tarball (offline, into a
 * prefix of its own), then `batchfn` from PATH in a project folder outside the repository, against
 * the app started as `npm start` starts it, with the admin key that start recorded for its URL.
 */
let work: string;
let project: string;
let installed: InstalledCli;
let app: AppProcess | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), "batchfn-installed-")));
  project = join(work, "project");
  await mkdir(project);
  for (const part of ["endpoint.yml", "deployment.yml", "model", "data"]) {
    await cp(examplePath("taxi-tip", part), join(project, "taxi-tip", part), { recursive: true });
  }
  const { BATCHFN_ADMIN_KEY: _given, ...settings } = await appSettings();
  const config = join(work, "config");
  [installed, app] = await Promise.all([
    packAndInstallCli(repoRoot, work),
    startAppProcess({ ...settings, BATCHFN_CONFIG_DIR: config }, [
      "--admin-key-file",
      join(work, "host-key.json"),
    ]),
  ]);
  const inherited = Object.entries(process.env).filter(
    (entry): entry is [string, string] => !entry[0].startsWith("BATCHFN_") && entry[1] !== undefined,
  );
  env = {
    ...Object.fromEntries(inherited),
    PATH: `${join(installed.prefix, "bin")}${delimiter}${process.env.PATH ?? ""}`,
    BATCHFN_URL: app.url,
    BATCHFN_CONFIG_DIR: config,
    BATCHFN_CACHE_DIR: join(work, "cache"),
    BATCHFN_POLL_MS: "250",
  };
}, 180_000);

afterAll(async () => {
  await app?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** `batchfn <args>` as a shell finds it on PATH, in the project folder. */
function batchfn(...args: string[]): Promise<CliResult> {
  return runProcess("batchfn", args, { cwd: project, env });
}

describe("the installed batchfn CLI", { timeout: 180_000 }, () => {
  it("is bundled JavaScript with no dependencies, installed offline onto the prefix's PATH", async () => {
    const chunks = installed.files.filter((file) => /^chunks\/[\w-]+\.mjs$/.test(file));
    expect(chunks.length).toBeGreaterThan(0);
    expect(installed.files.filter((file) => !chunks.includes(file))).toEqual([
      "README.md",
      "THIRD-PARTY-NOTICES.txt",
      "batchfn.mjs",
      "package.json",
    ]);
    const manifest = JSON.parse(
      await readFile(join(installed.prefix, "lib", "node_modules", "batchfn-cli", "package.json"), "utf8"),
    );
    expect(manifest).toMatchObject({ name: "batchfn-cli", bin: { batchfn: "batchfn.mjs" } });
    expect(manifest.dependencies).toBeUndefined();
    const app = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8"));
    expect(manifest.version).toBe(app.version);
    expect(tsvValue(await batchfn("--version"))).toBe(
      `batchfn-cli ${app.version}\nnode ${process.versions.node}`,
    );
    const bundle = await readFile(
      join(installed.prefix, "lib", "node_modules", "batchfn-cli", "batchfn.mjs"),
      "utf8",
    );
    expect(bundle).not.toContain(repoRoot);
    const help = expectExit(await batchfn("--help"), 0);
    expect(help.stdout).toMatch(/^Usage: batchfn /);
    expect(help.stdout).toContain("batch-endpoint");
  });

  it("stops quietly when the reader of its output has gone (batchfn ... | head)", async () => {
    const child = spawn("batchfn", ["--help"], { cwd: project, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((resolve) => child.once("close", resolve));
    expect([code, stderr]).toEqual([0, ""]);
  });

  it("finds the key npm start recorded for its URL, from a folder outside the repository", async () => {
    expect(app?.output()).toContain(
      `CLI: batchfn finds this key from any folder (recorded for ${app?.url} in ${join(work, "config", "local-hosts.json")})`,
    );
    const listed = expectExit(await batchfn("batch-endpoint", "list", "--debug"), 0);
    expect(listed.stderr).toContain(`credentials: ${join(work, "config", "local-hosts.json")} (${app?.url})`);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it("runs the batch-score.sh workflow: create, deployment, invoke, stream, download, list-jobs, delete", async () => {
    expectExit(await batchfn("batch-endpoint", "create", "--file", "taxi-tip/endpoint.yml"), 0);
    expectExit(
      await batchfn("batch-deployment", "create", "--file", "taxi-tip/deployment.yml", "--set-default"),
      0,
    );
    expect(
      tsvValue(
        await batchfn(
          "batch-endpoint",
          "show",
          "-n",
          "taxi-tip",
          "--query",
          "defaults.deployment_name",
          "-o",
          "tsv",
        ),
      ),
    ).toBe("taxi-tip-onnx");
    const job = tsvValue(
      await batchfn(
        "batch-endpoint",
        "invoke",
        "-n",
        "taxi-tip",
        "--input",
        "taxi-tip/data",
        "--query",
        "name",
        "-o",
        "tsv",
      ),
    );
    expect(expectExit(await batchfn("job", "stream", "--name", job), 0).stderr).toContain(
      `Job ${job} Completed`,
    );
    expect(tsvValue(await batchfn("job", "show", "-n", job, "--query", "status", "-o", "tsv"))).toBe(
      "Completed",
    );
    expect(
      tsvValue(
        await batchfn("batch-endpoint", "list-jobs", "-n", "taxi-tip", "--query", "[].name", "-o", "tsv"),
      ),
    ).toBe(job);
    expectExit(
      await batchfn("job", "download", "-n", job, "--output-name", "score", "--download-path", "./results"),
      0,
    );
    const predictions = await readFile(
      join(project, "results", "named-outputs", "score", "predictions.csv"),
      "utf8",
    );
    expect(taxiRows(predictions)).toEqual(await expectedTaxiRows(await taxiFiles()));
    expectExit(await batchfn("batch-endpoint", "delete", "-n", "taxi-tip", "--yes"), 0);
    expect(JSON.parse(expectExit(await batchfn("batch-endpoint", "list"), 0).stdout)).toEqual([]);
  });
});
