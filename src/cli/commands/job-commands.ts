import { Option } from "commander";
import { z } from "zod";
import { jobStatus } from "../../spec/job.schema.js";
import { readAnswer } from "../api/api-client.js";
import { listAll, routes } from "../api/routes.js";
import type { BatchfnCommand } from "../batchfn-command.js";
import type { CliContext } from "../cli-context.js";
import { addLeaf, type CliRuntime, type Outcome, usage } from "../command-kit.js";
import { outputUri } from "../invoke/invoke-input.js";
import { downloadJob, SCORE_OUTPUT } from "../jobs/job-download.js";
import { streamJob } from "../jobs/job-stream.js";
import { jobTableRows, jobViewSchema, outcomeLines, TERMINAL_STATUSES } from "../jobs/job-view.js";
import { applySetValues, parseSetValues } from "../set-values.js";
import { positiveInteger } from "./flag-parsers.js";

const named = z.object({ name: z.string() });

/** Shows a job; a failed or canceled one also gets its reason and first errors on stderr. */
export async function showJob(context: CliContext, name: string, web = false): Promise<Outcome> {
  const value = (await context.api.send({ path: routes.job(name) })).body;
  const job = readAnswer(jobViewSchema, value, `job '${name}'`);
  if (job.status === "Failed" || job.status === "Canceled") {
    context.note(outcomeLines(job).join("\n"));
  }
  if (web) context.note(`Job monitor: ${monitorUrl(context.api.baseUrl, job.name)}`);
  return { value, tableRows: jobTableRows };
}

/** A job's page in the job monitor the app serves (docs/monitor.md). */
export function monitorUrl(baseUrl: string, job: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/api/monitor/#/jobs/${encodeURIComponent(job)}`;
}

/** The job monitor's list of one endpoint's jobs (its `endpoint` filter, docs/monitor.md). */
export function endpointMonitorUrl(baseUrl: string, endpoint: string): string {
  const query = new URLSearchParams({ endpoint }).toString();
  return `${baseUrl.replace(/\/+$/, "")}/api/monitor/#/jobs?${query}`;
}

/** Asks a job to stop; says on stderr what happens, or that it had ended already and is unchanged. */
export async function cancelJob(context: CliContext, name: string): Promise<Outcome> {
  const answer = await context.api.send({ method: "POST", path: routes.jobCancel(name) });
  const job = jobViewSchema.parse(answer.body);
  context.note(
    TERMINAL_STATUSES.includes(job.status)
      ? `Job ${job.name} had already ended ${job.status}; nothing was changed.`
      : `Cancel requested: job ${job.name} starts no further mini-batch, its running ones are stopped, and it ends Canceled with the rows of its finished mini-batches (batchfn job show --name ${job.name}).`,
  );
  return { value: answer.body, tableRows: jobTableRows };
}

/** Follows a job to its end: exit code 0 when it completed, 1 when it failed or was canceled. */
export async function followJob(context: CliContext, name: string): Promise<Outcome> {
  const { job } = await streamJob(context, name);
  const text = outcomeLines(job).join("\n");
  context.io.stderr.write(`${text}\n`);
  return { exitCode: job.status === "Completed" ? 0 : 1 };
}

/** Lists jobs, newest first, following pages up to `max`. */
export async function listJobs(
  context: CliContext,
  filter: { endpoint?: string; deployment?: string; status?: string; max?: number },
): Promise<Outcome> {
  const value = await listAll(context.api, routes.jobs, {
    query: { endpoint: filter.endpoint, deployment: filter.deployment, status: filter.status },
    max: filter.max,
  });
  return { value, tableRows: jobTableRows };
}

/** `job show|list|stream|cancel|download`. */
export function registerJobCommands(program: BatchfnCommand, runtime: CliRuntime): void {
  const job = program
    .command("job")
    .description("Batch scoring jobs: show, list, follow, cancel, download outputs");

  addLeaf(
    job,
    {
      name: "show",
      summary: "Show a job: status, counts, output location, first errors",
      flags: (c) =>
        c
          .requiredFlag("-n, --name <job>", "job name")
          .option("--web", "also print the job's page in the job monitor (on stderr)"),
      schema: named.extend({ web: z.boolean().optional() }),
      run: (o, context) => showJob(context, o.name, o.web),
      examples: ["batchfn job show --name $JOB --query status -o tsv", "batchfn job show --name $JOB --web"],
    },
    runtime,
  );

  addLeaf(
    job,
    {
      name: "list",
      summary: "List jobs, newest first",
      flags: (c) =>
        c
          .option("-e, --endpoint-name <endpoint>", "only the jobs of this batch endpoint")
          .addOption(new Option("--status <status>", "only jobs in this status").choices(jobStatus.options))
          .option("-r, --max-results <n>", "list at most n jobs", positiveInteger),
      schema: z.object({
        endpointName: z.string().optional(),
        status: z.string().optional(),
        maxResults: z.number().optional(),
      }),
      run: (o, context) =>
        listJobs(context, { endpoint: o.endpointName, status: o.status, max: o.maxResults }),
      examples: ["batchfn job list --endpoint-name taxi-tip -o table"],
    },
    runtime,
  );

  addLeaf(
    job,
    {
      name: "stream",
      summary:
        "Print the job log as it grows and its progress until it ends (exit 0: Completed, 1: Failed/Canceled)",
      flags: (c) => c.requiredFlag("-n, --name <job>", "job name"),
      schema: named,
      run: (o, context) => followJob(context, o.name),
      examples: ["batchfn job stream --name $JOB"],
    },
    runtime,
  );

  addLeaf(
    job,
    {
      name: "cancel",
      summary: "Cancel a job: no new mini-batch starts, running ones are stopped, finished ones are kept",
      flags: (c) => c.requiredFlag("-n, --name <job>", "job name"),
      schema: named,
      run: (o, context) => cancelJob(context, o.name),
      examples: ["batchfn job cancel --name $JOB"],
    },
    runtime,
  );

  addLeaf(
    job,
    {
      name: "rerun",
      summary:
        "Start a new job over an ended job's items (--failed-only: those its errors.jsonl lists), same deployment and settings, output in a new folder",
      flags: (c) =>
        c
          .requiredFlag("-n, --name <job>", "the job to re-run")
          .option("--failed-only", "only the items the job's errors.jsonl lists")
          .option(
            "--job-name <job>",
            "name of the new job (re-running again with the same name answers the same job)",
          )
          .option(
            "--output-path <path>",
            "output folder of the new job (default: its own batchfn-outputs/<job>/)",
          )
          .option("-d, --deployment-name <deployment>", "another deployment of the same endpoint")
          .option(
            "--set <key=value...>",
            "override a setting: mini_batch_size=1, retry_settings.max_retries=1, ...",
          ),
      schema: named.extend({
        failedOnly: z.boolean().default(false),
        jobName: z.string().optional(),
        outputPath: z.string().optional(),
        deploymentName: z.string().optional(),
        set: z.array(z.string()).optional(),
      }),
      run: async (o, context) => {
        const jobName = o.jobName ?? `${o.name.slice(0, 200)}-rerun-${Date.now().toString(36)}`;
        const body: Record<string, unknown> = { failed_only: o.failedOnly, job_name: jobName };
        if (o.outputPath !== undefined) body.output_path = outputUri(o.outputPath);
        if (o.deploymentName !== undefined) body.deployment_name = o.deploymentName;
        applySetValues(body, parseSetValues(o.set ?? []));
        const value = (await context.api.send({ method: "POST", path: routes.jobRerun(o.name), body })).body;
        context.note(`Job '${jobName}' submitted. Follow it with: batchfn job stream --name ${jobName}`);
        return { value };
      },
      examples: [
        "batchfn job rerun --name $JOB --failed-only --query name -o tsv",
        "batchfn job rerun --name $JOB --failed-only --set retry_settings.max_retries=5",
      ],
    },
    runtime,
  );

  addLeaf(
    job,
    {
      name: "download",
      summary: `Download a job's outputs into <download-path>/named-outputs/<output>/ (default ${SCORE_OUTPUT})`,
      flags: (c) =>
        c
          .requiredFlag("-n, --name <job>", "job name")
          .option("-p, --download-path <dir>", "where to download (default: the current folder)", ".")
          .option(
            "--output-name <name>",
            `the output to download: ${SCORE_OUTPUT} (the predictions), or a named output the job has`,
          )
          .option("--all", "download every output, with errors.jsonl, job_summary.json and the job log"),
      schema: z.object({
        name: z.string(),
        downloadPath: z.string(),
        outputName: z.string().optional(),
        all: z.boolean().default(false),
      }),
      run: async (o, context, command) => {
        if (o.outputName !== undefined && o.all) usage(command, "give --output-name or --all, not both");
        return {
          value: await downloadJob(context, o.name, {
            dir: o.downloadPath,
            all: o.all,
            outputName: o.outputName,
          }),
        };
      },
      examples: [
        `batchfn job download --name $JOB --output-name ${SCORE_OUTPUT} --download-path ./results`,
        "batchfn job download --name $JOB --output-name reports",
        "batchfn job download --name $JOB --all",
      ],
    },
    runtime,
  );
}
