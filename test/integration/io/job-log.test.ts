import { describe, expect, it } from "vitest";
import { createJobLog, type JobLog } from "../../../src/io/log/job-log.js";
import type { LogRecord } from "../../../src/spec/log-record.schema.js";
import { testClients, uniqueName } from "../../support/storage.js";

function record(message: string, extra: Partial<LogRecord> = {}): LogRecord {
  return { time: "2026-01-01T00:00:00.000Z", level: "info", source: "engine", message, ...extra };
}

async function readAll(
  log: JobLog,
  job: string,
  maxBytes?: number,
): Promise<{ messages: string[]; offset: number }> {
  const messages: string[] = [];
  let offset = 0;
  for (;;) {
    const page = await log.readJobLog(job, { fromOffset: offset, maxBytes });
    if (page.nextOffset === offset) return { messages, offset };
    messages.push(...page.records.map((r) => r.message));
    offset = page.nextOffset;
  }
}

function jobsContainer() {
  return testClients().blob.getContainerClient(uniqueName("jobs"));
}

describe("job log", () => {
  it("appends records as JSON lines and reads them back from an offset", async () => {
    const jobs = jobsContainer();
    const log = createJobLog({ jobs });
    const job = uniqueName("job");
    await log.appendJobLog(job, [
      record("started"),
      record("script line", { source: "script", miniBatch: 3, attempt: 2, fields: { file: "a.csv" } }),
    ]);
    const first = await log.readJobLog(job);
    expect(first.records).toEqual([
      record("started"),
      record("script line", { source: "script", miniBatch: 3, attempt: 2, fields: { file: "a.csv" } }),
    ]);
    const blob = await jobs.getBlobClient(`logs/${job}.jsonl`).getProperties();
    expect(first.nextOffset).toBe(blob.contentLength);

    const idle = await log.readJobLog(job, { fromOffset: first.nextOffset });
    expect(idle).toEqual({ records: [], nextOffset: first.nextOffset });

    await log.appendJobLog(job, [record("finished")]);
    const next = await log.readJobLog(job, { fromOffset: first.nextOffset });
    expect(next.records.map((r) => r.message)).toEqual(["finished"]);

    expect(await log.readJobLog(uniqueName("never"))).toEqual({ records: [], nextOffset: 0 });
  });

  it("pages through a log with a small maxBytes without losing or repeating a line", async () => {
    const log = createJobLog({ jobs: jobsContainer() });
    const job = uniqueName("job");
    const messages = Array.from({ length: 30 }, (_, i) => `message ${i} ${"x".repeat(i * 3)}`);
    await log.appendJobLog(
      job,
      messages.slice(0, 10).map((m) => record(m)),
    );
    await log.appendJobLog(
      job,
      messages.slice(10).map((m) => record(m)),
    );
    expect((await readAll(log, job, 150)).messages).toEqual(messages);
    expect((await readAll(log, job, 10)).messages).toEqual(messages);
  });

  it("batches records into appends of bounded size and continues in a new segment when one is full", async () => {
    const jobs = jobsContainer();
    const log = createJobLog({ jobs, maxSegmentBytes: 600, maxAppendBytes: 250 });
    const job = uniqueName("job");
    const messages = Array.from({ length: 25 }, (_, i) => `line ${i}`);
    await log.appendJobLog(
      job,
      messages.slice(0, 12).map((m) => record(m)),
    );
    const other = createJobLog({ jobs, maxSegmentBytes: 600, maxAppendBytes: 250 });
    await other.appendJobLog(
      job,
      messages.slice(12).map((m) => record(m)),
    );

    const segments: Array<{ name: string; size: number; appends: number }> = [];
    for await (const blob of jobs.listBlobsFlat({ prefix: "logs/" })) {
      const properties = await jobs.getBlobClient(blob.name).getProperties();
      segments.push({
        name: blob.name,
        size: blob.properties.contentLength ?? 0,
        appends: properties.blobCommittedBlockCount ?? 0,
      });
    }
    expect(segments.length).toBeGreaterThan(1);
    expect(segments.map((s) => s.name)).toContain(`logs/${job}.jsonl`);
    expect(segments.map((s) => s.name)).toContain(`logs/${job}.1.jsonl`);
    for (const segment of segments) expect(segment.size).toBeLessThanOrEqual(600);
    expect(segments.reduce((sum, s) => sum + s.appends, 0)).toBeLessThan(25);

    const all = await readAll(log, job);
    expect(all.messages).toEqual(messages);
    expect(all.offset).toBe(segments.reduce((sum, s) => sum + s.size, 0));
  });

  it("keeps concurrent writers' lines intact and truncates a record larger than one append", async () => {
    const jobs = jobsContainer();
    const job = uniqueName("job");
    const writers = [
      createJobLog({ jobs, maxAppendBytes: 300 }),
      createJobLog({ jobs, maxAppendBytes: 300 }),
    ];
    await Promise.all(
      writers.map((log, w) =>
        Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            log.appendJobLog(job, [record(`w${w}-${i}a`), record(`w${w}-${i}b`)]),
          ),
        ),
      ),
    );
    await writers[0]?.appendJobLog(job, [record("y".repeat(1000), { fields: { big: "z".repeat(1000) } })]);
    const page = await createJobLog({ jobs }).readJobLog(job);
    const messages = page.records.map((r) => r.message);
    expect(messages.slice(0, 20).sort()).toEqual(
      Array.from({ length: 2 }, (_, w) => Array.from({ length: 5 }, (_, i) => [`w${w}-${i}a`, `w${w}-${i}b`]))
        .flat(2)
        .sort(),
    );
    const truncated = page.records[20];
    expect(truncated?.fields).toEqual({ truncated: true });
    expect(truncated?.message.startsWith("yyyy")).toBe(true);
    expect(Buffer.byteLength(`${JSON.stringify(truncated)}\n`)).toBeLessThanOrEqual(300);
  });

  it("refuses a job name that is not safe in a blob name", async () => {
    const log = createJobLog({ jobs: jobsContainer() });
    await expect(log.appendJobLog("../other", [record("x")])).rejects.toThrow();
  });
});
