import { mkdir, writeFile } from "node:fs/promises";
import { dirname, relative, resolve, sep } from "node:path";

/** One job of `npm run demo`: where to send it, and where its outputs go. */
export interface DemoJob {
  /** The app, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Sent as `x-functions-key`. */
  adminKey: string;
  endpoint: string;
  /** A datastore URI. */
  input: string;
  /** Lines shown of each downloaded file. */
  show: number;
  /** The job's outputs are downloaded into `<outputDir>/<job>/`. */
  outputDir: string;
}

interface JobView {
  name: string;
  status: string;
  message?: string;
  output: { path: string; file_name?: string };
  progress?: {
    mini_batches: { total: number; succeeded: number; failed: number };
    items: { succeeded: number; failed: number };
  };
  links: { self: string; outputs: string };
}

interface OutputList {
  value: Array<{ name: string; path: string; size: number; download_url: string }>;
}

/**
 * Invokes the endpoint over HTTP, prints the job's progress until it ends, downloads every file of
 * its output folder into `<outputDir>/<job>/` (so the predictions outlive the demo's in-memory
 * storage) and prints each file's path and first lines. Answers the job's final status.
 */
export async function runDemoJob(job: DemoJob): Promise<string> {
  const headers = { "x-functions-key": job.adminKey };
  const invoked = await fetch(`${job.url}/api/batch-endpoints/${job.endpoint}/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ input: job.input }),
  });
  const started = (await invoked.json()) as JobView;
  if (invoked.status !== 202)
    throw new Error(`invoke answered ${invoked.status}: ${JSON.stringify(started)}`);
  console.log(
    `  job ${started.name} started (POST /api/batch-endpoints/${job.endpoint}/jobs → ${invoked.status})`,
  );
  console.log(`  watch it: ${job.url}/api/monitor/#/jobs/${encodeURIComponent(started.name)}`);
  let view = started;
  let last = "";
  for (;;) {
    view = (await (await fetch(started.links.self, { headers })).json()) as JobView;
    const p = view.progress;
    const line = p
      ? `  ${view.status}: ${p.mini_batches.succeeded + p.mini_batches.failed}/${p.mini_batches.total} mini-batches, ${p.items.succeeded} items scored, ${p.items.failed} failed`
      : `  ${view.status}`;
    if (line !== last) console.log(line);
    last = line;
    if (["Completed", "Failed", "Canceled"].includes(view.status)) break;
    await new Promise((wait) => setTimeout(wait, 250));
  }
  if (view.message) console.log(`  ${view.message}`);
  const outputs = (await (await fetch(view.links.outputs, { headers })).json()) as OutputList;
  const folder = resolve(job.outputDir, view.name);
  console.log(`  outputs of ${view.output.path} downloaded into ${shown(folder)}${sep}:`);
  const first = (name: string) => (name === view.output.file_name ? 0 : 1);
  const files = [...outputs.value].sort(
    (a, b) => first(a.name) - first(b.name) || a.name.localeCompare(b.name),
  );
  for (const file of files) {
    const target = resolve(folder, ...file.name.split("/"));
    if (!target.startsWith(`${folder}${sep}`)) throw new Error(`output '${file.name}' leaves ${folder}`);
    const response = await fetch(file.download_url, { headers });
    if (!response.ok) throw new Error(`downloading ${file.name} answered ${response.status}`);
    const body = Buffer.from(await response.arrayBuffer());
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, body);
    console.log(`    ${shown(target)} (${body.length} bytes)`);
    for (const line of firstLines(body, job.show)) console.log(`      ${line}`);
  }
  return view.status;
}

/** The first `count` lines of a text file; a binary file says so. */
function firstLines(body: Buffer, count: number): string[] {
  if (body.includes(0)) return ["(binary)"];
  const lines = body.toString("utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  const head = lines.slice(0, count).map((line) => (line.length > 160 ? `${line.slice(0, 159)}…` : line));
  return lines.length > count ? [...head, `… ${lines.length - count} more lines`] : head;
}

/** A path relative to the working folder when it is inside it (`demo-output/...`), else absolute. */
function shown(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside && !inside.startsWith("..") ? inside : path;
}
