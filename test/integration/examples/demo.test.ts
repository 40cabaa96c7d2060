import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../support/app-process.js";

const run = promisify(execFile);
let work: string | undefined;

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("npm run demo", () => {
  it("downloads each job's outputs into ./demo-output/<job>/ and prints their paths and first lines", async () => {
    work = await realpath(await mkdtemp(join(tmpdir(), "batchfn-demo-")));
    const { stdout } = await run(
      process.execPath,
      [
        "--import",
        pathToFileURL(join(repoRoot, "node_modules", "tsx", "dist", "loader.mjs")).href,
        join(repoRoot, "examples", "demo.ts"),
        "--only",
        "taxi-tip",
      ],
      { cwd: work, env: { ...process.env, npm_config_update_notifier: "false" } },
    );
    const job = /job (taxi-tip-\S+) started/.exec(stdout)?.[1] ?? "";
    expect(job, stdout).not.toBe("");
    expect(stdout).toContain(`downloaded into demo-output/${job}/:`);
    const folder = join(work, "demo-output", job);
    expect((await readdir(folder)).sort()).toEqual(["errors.jsonl", "job_summary.json", "predictions.csv"]);

    const predictions = await readFile(join(folder, "predictions.csv"), "utf8");
    const rows = predictions.trimEnd().split("\n");
    expect(rows.length).toBeGreaterThan(5);
    const listed = stdout.split("\n").map((line) => line.trim());
    const at = listed.indexOf(`demo-output/${job}/predictions.csv (${Buffer.byteLength(predictions)} bytes)`);
    expect(at, stdout).toBeGreaterThan(-1);
    expect(listed.slice(at + 1, at + 7)).toEqual([...rows.slice(0, 5), `… ${rows.length - 5} more lines`]);
    const summary = JSON.parse(await readFile(join(folder, "job_summary.json"), "utf8"));
    expect(summary).toMatchObject({ job, status: "Completed" });
  }, 240_000);
});
