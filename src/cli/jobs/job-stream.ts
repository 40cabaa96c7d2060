import { setTimeout as sleep } from "node:timers/promises";
import { BatchfnError } from "../../errors.js";
import { type LogRecord, logRecordSchema } from "../../spec/log-record.schema.js";
import { readAnswer } from "../api/api-client.js";
import { routes } from "../api/routes.js";
import type { CliContext } from "../cli-context.js";
import type { StatusLine } from "../output/status-line.js";
import { type JobView, jobViewSchema, progressText, TERMINAL_STATUSES } from "./job-view.js";

/** How long `job stream` waits between two looks at the job, unless `BATCHFN_POLL_MS` says otherwise. */
export const DEFAULT_POLL_MS = 1000;

/**
 * Follows a job until it ends: prints each new log line on stdout as it is written (read by byte
 * offset, `GET /api/jobs/{job}/logs?from=`, so a dropped connection loses nothing and no request
 * stays open for long), and keeps a progress line of mini-batches and items on stderr. Answers the
 * job as it ended.
 */
export async function streamJob(context: CliContext, name: string): Promise<{ raw: unknown; job: JobView }> {
  const pollMs = Number(context.io.env.BATCHFN_POLL_MS ?? DEFAULT_POLL_MS) || DEFAULT_POLL_MS;
  const line = context.status();
  const patiently = <T>(call: () => Promise<T>) => withRetries(call, pollMs, line);
  let offset = 0;
  for (;;) {
    const raw = await patiently(async () => (await context.api.send({ path: routes.job(name) })).body);
    const job = readAnswer(jobViewSchema, raw, `job '${name}'`);
    const ended = TERMINAL_STATUSES.includes(job.status);
    for (;;) {
      const from = offset;
      const { text, next } = await patiently(async () => {
        const response = await context.api.raw({ path: routes.jobLogs(name), query: { from: String(from) } });
        return { text: await response.text(), next: Number(response.headers.get("x-next-offset")) };
      });
      const lines = text.split("\n").filter((entry) => entry.trim() !== "");
      if (lines.length > 0) {
        line.around(() => {
          for (const entry of lines) context.io.stdout.write(`${logLineText(entry)}\n`);
        });
      }
      if (!Number.isInteger(next) || next <= offset) break;
      offset = next;
    }
    line.show(progressText(job));
    if (ended) {
      line.end();
      return { raw, job };
    }
    await sleep(pollMs);
  }
}

/** Attempts a following job survives on a flaky connection or a restarting app (about half a minute). */
const RETRIES = 8;

/**
 * Runs a call again when the app cannot be reached or answers 502/503/504 (an app restarting, a
 * gateway timing out), waiting a little longer each time; other errors end the stream at once.
 */
async function withRetries<T>(call: () => Promise<T>, pollMs: number, line: StatusLine): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (thrown) {
      const transient =
        thrown instanceof BatchfnError &&
        (thrown.code === "ServerUnreachable" || [502, 503, 504].includes(thrown.status));
      if (!transient || attempt >= RETRIES) throw thrown;
      line.show(`${thrown.message} Trying again (${attempt}/${RETRIES - 1})…`);
      await sleep(pollMs * attempt);
    }
  }
}

/** One log record for people: `time LEVEL [mini-batch 3, attempt 2] script: message {fields}`. */
export function logLineText(entry: string): string {
  let value: unknown;
  try {
    value = JSON.parse(entry);
  } catch {
    return entry;
  }
  const parsed = logRecordSchema.safeParse(value);
  return parsed.success ? formatRecord(parsed.data) : entry;
}

function formatRecord(record: LogRecord): string {
  const where =
    record.miniBatch === undefined
      ? ""
      : `[mini-batch ${record.miniBatch}${record.attempt === undefined ? "" : `, attempt ${record.attempt}`}] `;
  const source = record.source === "script" ? "script: " : "";
  const fields =
    record.fields && Object.keys(record.fields).length > 0 ? ` ${JSON.stringify(record.fields)}` : "";
  return `${record.time} ${record.level.toUpperCase().padEnd(7)} ${where}${source}${record.message}${fields}`;
}
