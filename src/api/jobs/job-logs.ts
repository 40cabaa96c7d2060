import { setTimeout as sleep } from "node:timers/promises";
import { errors } from "../../errors.js";
import { isTerminal } from "../../jobs/records/job-records.js";
import { type Handler, handle } from "../http.js";
import { routeName } from "../registry/route-params.js";
import type { JobsApiDeps } from "./jobs-api-deps.js";

/**
 * `GET /api/jobs/{job}/logs[?from=<offset>][&follow=true]`: the job's log as JSON lines (engine
 * events and the scoring script's output, tagged with mini-batch and attempt). With `follow`, the
 * response streams new lines as they are written and ends once the job has ended. The header
 * `x-next-offset` (without follow) says where to continue.
 */
export function createJobLogsHandler(deps: JobsApiDeps): Handler {
  const interval = deps.followIntervalMs ?? 500;
  return handle(async (request) => {
    const job = routeName(request, "job", "job");
    if (!(await deps.records.get(job))) throw errors.notFound("Job", job);
    const from = Number(request.query.get("from") ?? 0);
    if (!Number.isInteger(from) || from < 0)
      throw errors.invalidParameter("from", "must be a non-negative integer");
    const headers = { "content-type": "application/x-ndjson; charset=utf-8" };
    if (request.query.get("follow") !== "true") {
      const page = await deps.jobLog.readJobLog(job, { fromOffset: from });
      return {
        status: 200,
        body: lines(page.records),
        headers: { ...headers, "x-next-offset": String(page.nextOffset) },
      };
    }
    const follow = async function* (): AsyncGenerator<Uint8Array> {
      let offset = from;
      for (;;) {
        const ended = isTerminal((await deps.records.get(job))?.status ?? "Failed");
        const page = await deps.jobLog.readJobLog(job, { fromOffset: offset });
        offset = page.nextOffset;
        if (page.records.length > 0) yield Buffer.from(lines(page.records));
        if (ended && page.records.length === 0) return;
        if (page.records.length === 0) await sleep(interval);
      }
    };
    return { status: 200, body: follow(), headers };
  });
}

function lines(records: readonly unknown[]): string {
  return records.map((record) => `${JSON.stringify(record)}\n`).join("");
}
