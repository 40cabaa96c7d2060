import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import { errors } from "../../errors.js";
import { readAnswer } from "../api/api-client.js";
import { routes } from "../api/routes.js";
import type { CliContext } from "../cli-context.js";
import { createProgressBar } from "../output/progress-bar.js";
import { jobViewSchema, TERMINAL_STATUSES } from "./job-view.js";

/** The one named output of a batch job, as in Azure ML. */
export const SCORE_OUTPUT = "score";

const listedFileSchema = z.object({ name: z.string(), size: z.number(), download_url: z.string() });
type ListedFile = z.infer<typeof listedFileSchema>;
const outputsSchema = z.object({ value: z.array(listedFileSchema) });

/** A file written by `job download`. */
export interface DownloadedFile {
  name: string;
  path: string;
  size: number;
}

/** Files of the output folder that describe the job rather than hold its predictions. */
const JOB_FILES = /^(errors(-\d+)?\.jsonl|job_summary\.json)$/;

/**
 * Downloads a job's outputs as `az ml job download` lays them out: the `score` output (the
 * predictions, or the files a summary_only script wrote) into `<dir>/named-outputs/score/`, a named
 * output (`outputName`) into `<dir>/named-outputs/<name>/`; with `all`, every output, every file of
 * the score folder (errors.jsonl and job_summary.json too) and the job log as `<dir>/logs/<job>.jsonl`.
 */
export async function downloadJob(
  context: CliContext,
  name: string,
  options: { dir: string; all: boolean; outputName?: string },
): Promise<DownloadedFile[]> {
  const { api } = context;
  const job = readAnswer(jobViewSchema, (await api.send({ path: routes.job(name) })).body, `job '${name}'`);
  if (!TERMINAL_STATUSES.includes(job.status)) {
    context.warn(`Job '${name}' is ${job.status}: its outputs may be incomplete.`);
  }
  const outputName = options.outputName ?? SCORE_OUTPUT;
  const named = Object.keys(job.named_outputs ?? {});
  if (outputName !== SCORE_OUTPUT && !named.includes(outputName)) {
    throw errors.invalidParameter(
      "--output-name",
      `'${outputName}': job '${name}' has the outputs ${[SCORE_OUTPUT, ...named].join(", ")}`,
    );
  }
  const wanted = options.all ? [SCORE_OUTPUT, ...named] : [outputName];
  const root = resolve(context.io.cwd, options.dir);
  const chosen: Array<ListedFile & { target: string }> = [];
  for (const output of wanted) {
    const query = output === SCORE_OUTPUT ? undefined : { name: output };
    const answer = (await api.send({ path: routes.jobOutputs(name), query })).body;
    const listed = readAnswer(outputsSchema, answer, `the outputs '${output}' of job '${name}'`).value;
    const kept =
      options.all || output !== SCORE_OUTPUT ? listed : listed.filter((file) => !JOB_FILES.test(file.name));
    const folder = join(root, "named-outputs", output);
    for (const file of kept) chosen.push({ ...file, target: join(folder, ...safeSegments(file.name)) });
  }
  const total = chosen.reduce((sum, file) => sum + file.size, 0);
  const bar = createProgressBar(context.status(), { label: `Downloading ${name}`, total, unit: "bytes" });
  let done = 0;
  const written: DownloadedFile[] = [];
  for (const file of chosen) {
    const response = await api.raw({ path: file.download_url });
    const size = await save(response, file.target, (bytes) => {
      done += bytes;
      bar.update(done);
    });
    written.push({ name: file.name, path: file.target, size });
  }
  if (options.all) {
    const log = await api.raw({ path: routes.jobLogs(name) });
    const target = join(root, "logs", `${name}.jsonl`);
    written.push({ name: `logs/${name}.jsonl`, path: target, size: await save(log, target, () => {}) });
  }
  bar.finish();
  context.note(
    `Downloaded ${written.length} file${written.length === 1 ? "" : "s"} of job '${name}' to ${root}`,
  );
  return written;
}

async function save(response: Response, target: string, progress: (bytes: number) => void): Promise<number> {
  await mkdir(dirname(target), { recursive: true });
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      progress(chunk.length);
      callback(null, chunk);
    },
  });
  const body = response.body ? Readable.fromWeb(response.body) : Readable.from([]);
  await pipeline(body, counter, createWriteStream(target));
  return size;
}

/** The path segments of an output file's name; a name that would leave the folder is refused. */
function safeSegments(name: string): string[] {
  const segments = name.split("/");
  if (
    segments.some(
      (segment) => segment === "" || segment === "." || segment === ".." || segment.includes("\\"),
    )
  ) {
    throw errors.unexpectedResponse(
      `The server listed an output file '${name}' that is not a relative path.`,
    );
  }
  return segments;
}
