import type { HttpRequest } from "@azure/functions";
import { errors } from "../../errors.js";
import type { JobFilter } from "../../jobs/records/job-filter.js";
import { experimentName, jobStatus, MAX_JOB_TAGS } from "../../spec/job.schema.js";
import { queryName } from "../registry/route-params.js";

/**
 * The filter of `GET /api/jobs`: `endpoint`, `deployment`, `status`, `experiment_name`, and `tag`
 * (repeatable: `key` for any value, `key=value`). `InvalidParameter` naming the parameter otherwise.
 */
export function readJobFilter(request: HttpRequest): JobFilter {
  const query = request.query;
  const status = query.get("status") ?? undefined;
  if (status !== undefined && !jobStatus.safeParse(status).success) {
    throw errors.invalidParameter("status", `must be one of: ${jobStatus.options.join(", ")}`);
  }
  const experiment = query.get("experiment_name") ?? undefined;
  if (experiment !== undefined) {
    const checked = experimentName.safeParse(experiment);
    if (!checked.success) {
      throw errors.invalidParameter("experiment_name", checked.error.issues[0]?.message ?? "is not valid");
    }
  }
  const written = query.getAll("tag");
  if (written.length > MAX_JOB_TAGS) throw errors.invalidParameter("tag", `at most ${MAX_JOB_TAGS} tags`);
  const tags = written.map((text) => {
    const eq = text.indexOf("=");
    const key = eq < 0 ? text : text.slice(0, eq);
    if (key === "") throw errors.invalidParameter("tag", `'${text}' is not key or key=value`);
    return eq < 0 ? { key } : { key, value: text.slice(eq + 1) };
  });
  return {
    endpoint: queryName(request, "endpoint", "resource"),
    deployment: queryName(request, "deployment", "resource"),
    status,
    experiment,
    tags,
  };
}
