import { describe, expect, it } from "vitest";
import type { LoggingLevel } from "../../../src/scoring/log/log-levels.js";
import { bundledFixture, fixturePool, inputFiles, miniBatch } from "./scoring-fixtures.js";

async function scriptLogs(loggingLevel: LoggingLevel) {
  const { pool } = await fixturePool({ script: await bundledFixture("logging", "score.ts"), loggingLevel });
  const { result, logs } = await pool.run(miniBatch(5, await inputFiles({ "a.txt": "", "b.txt": "" }), 2));
  expect(result.rows).toEqual(["a.txt", "b.txt"]);
  return logs;
}

describe("script log capture", () => {
  it("captures logger and console output as script records tagged with the mini-batch and attempt", async () => {
    const logs = await scriptLogs("debug");
    const script = logs.filter((record) => record.source === "script");
    expect(script.map(({ level, message }) => [level, message])).toEqual([
      ["debug", "logger debug"],
      ["info", "logger info"],
      ["warning", "logger warn"],
      ["error", "logger error"],
      ["debug", "console debug"],
      ["info", "console log 2"],
      ["info", "console info"],
      ["warning", "console warn"],
      ["error", "console error"],
    ]);
    for (const record of script) expect(record).toMatchObject({ miniBatch: 5, attempt: 2 });
    expect(script[0]?.fields).toEqual({ files: ["a.txt", "b.txt"] });
    expect(script[1]?.fields).toEqual({ count: 2 });
    for (const record of script) expect(Number.isNaN(Date.parse(record.time))).toBe(false);
  });

  it("keeps info and above at logging_level info", async () => {
    const logs = await scriptLogs("info");
    const messages = logs.filter((record) => record.source === "script").map((record) => record.message);
    expect(messages).toEqual([
      "logger info",
      "logger warn",
      "logger error",
      "console log 2",
      "console info",
      "console warn",
      "console error",
    ]);
    expect(logs).toContainEqual(expect.objectContaining({ source: "engine", level: "info" }));
  });

  it("keeps only warnings and errors at logging_level warning, for engine records too", async () => {
    const logs = await scriptLogs("warning");
    expect(logs.map(({ source, message }) => [source, message])).toEqual([
      ["script", "logger warn"],
      ["script", "logger error"],
      ["script", "console warn"],
      ["script", "console error"],
    ]);
  });
});
