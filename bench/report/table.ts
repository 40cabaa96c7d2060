import type { ItemCost } from "../scenarios/item-cost.js";
import type { BenchResults, TargetKey } from "./results.js";

type Row = [string, string, string];

/** The figures of a run as a Markdown table (printed by the bench, pasted into docs/benchmarks.md). */
export function resultsTable(results: BenchResults): string {
  const { throughput: t, overhead: o, latency: l, memory: m, digits: d, python: p } = results;
  const verdict = (key: TargetKey) => target(results, key);
  const rows: Row[] = [
    [
      "throughput: batchfn (rows/s)",
      int(t.batchfn_rows_per_s),
      `${int(t.rows)} rows, ${t.files} files, ${sec(t.batchfn_seconds)} s (median of ${t.batchfn_runs_s.length} runs)`,
    ],
    [
      "throughput: limit (rows/s)",
      int(t.limit_rows_per_s),
      "in memory, parse + model + output text, all cores",
    ],
    ["throughput: model alone (rows/s)", int(t.inference_only_rows_per_s), "tensors in memory, all cores"],
    ["throughput: naive baseline (rows/s)", int(t.baseline_rows_per_s), "one process, loop over the files"],
    ["ratio batchfn / limit", ratio(t.ratio_limit), "no target"],
    ["ratio batchfn / naive baseline", ratio(t.ratio_baseline), verdict("throughput_ratio_baseline")],
    costRow("throughput", t.cost, verdict("throughput_host_cpu_per_row")),
    [
      "CSV parsing: batchfn's parser (rows/s)",
      int(t.csv_parsers.batchfn_rows_per_s),
      `csv-parse ${int(t.csv_parsers.csv_parse_rows_per_s)} rows/s on the same files; ratio ${ratio(t.csv_parsers.ratio)} (one thread, into numeric columns)`,
    ],
    [
      "overhead (ms per mini-batch)",
      ms(o.ms_per_minibatch),
      `${o.minibatches_by_key["2000"]} mini-batches; ${verdict("overhead_ms")}`,
    ],
    ...(["500", "2000", "8000"] as const).map(
      (key): Row => [
        `overhead: ${o.minibatches_by_key[key]} mini-batches (s)`,
        sec(o.seconds_by_minibatches[key]),
        `${ms(o.ms_per_minibatch_by_key[key])} ms each${cpuNote(o.host_cpu_ms_by_key?.[key], o.azurite_cpu_ms_by_key?.[key])}${requestsNote(o.requests_per_minibatch_by_key?.[key])}`,
      ],
    ),
    ["overhead: 8000 / 500", ratio(o.ratio_8000_to_500), `16 is linear; ${verdict("overhead_growth")}`],
    [
      "overhead CPU per mini-batch (ms)",
      `${ms(o.host_cpu_ms_per_minibatch)} + ${ms(o.azurite_cpu_ms_per_minibatch)}`,
      "host + Azurite",
    ],
    [
      "overhead: host requests per mini-batch",
      ms(o.requests_per_minibatch),
      `storage round trips, a few status polls; ${verdict("overhead_requests")}`,
    ],
    [
      "storage: CPU of one request (ms)",
      `${ms(results.storage.mean.client_cpu_ms)} + ${ms(results.storage.mean.azurite_cpu_ms)}`,
      "caller (Azure SDK) + Azurite; mean of queue send/receive/delete, blob put, table upsert",
    ],
    [
      "latency: invoke → first mini-batch (s)",
      sec(l.first_minibatch_s),
      `warm median; cold ${sec(l.cold_first_minibatch_s)} s; ${verdict("first_minibatch")}`,
    ],
    [
      "latency: one-file job (s)",
      sec(l.one_file_job_s),
      `warm median; cold ${sec(l.cold_one_file_job_s)} s; ${verdict("one_file_job")}`,
    ],
    ["memory: peak RSS 1× (MB)", int(m.rss_1x_mb), `${int(m.rows_1x)} rows`],
    [
      "memory: peak RSS 10× (MB)",
      int(m.rss_10x_mb),
      `${int(m.rows_10x)} rows at ${int(m.rows_per_s_10x)} rows/s`,
    ],
    ["memory: 10× / 1×", ratio(m.ratio_10x_to_1x), verdict("memory_growth")],
    costRow("memory 10×", m.cost_10x),
    ["digits: batchfn (images/s)", int(d.images_per_s), `${int(d.images)} images, ${sec(d.seconds)} s`],
    [
      "digits: single-process loop (images/s)",
      int(d.baseline_images_per_s),
      `ratio ${ratio(d.ratio_baseline)}; ${verdict("digits_ratio_baseline")}`,
    ],
    costRow("digits", d.cost),
    [
      "python: no-code MLflow sklearn (rows/s)",
      int(p.sklearn.items_per_s),
      `${int(p.sklearn.items)} rows in ${p.sklearn.files} CSV files, ${sec(p.sklearn.seconds)} s`,
    ],
    [
      "python: sklearn single-process loop (rows/s)",
      int(p.sklearn.baseline_items_per_s),
      `ratio ${ratio(p.sklearn.ratio_baseline)}`,
    ],
    costRow("python sklearn", p.sklearn.cost),
    [
      "python: digits script (images/s)",
      int(p.digits.items_per_s),
      `${int(p.digits.items)} images, ${sec(p.digits.seconds)} s`,
    ],
    [
      "python: digits single-process loop (images/s)",
      int(p.digits.baseline_items_per_s),
      `ratio ${ratio(p.digits.ratio_baseline)}`,
    ],
    costRow("python digits", p.digits.cost),
    [
      "CLI: batchfn --help (s)",
      sec(results.cli.help_s),
      `installed from npm pack ./cli (${int(results.cli.bundle_kb)} KiB bundle), median of ${results.cli.help_runs_s.length}; node -e 0 takes ${sec(results.cli.node_s)}; ${verdict("cli_help")}`,
    ],
    [
      "CLI: batchfn batch-endpoint show (s)",
      sec(results.cli.show_s),
      `against the local host, median of ${results.cli.show_runs_s.length}; ${verdict("cli_show")}`,
    ],
    ["whole bench (s)", int(results.bench_seconds), verdict("bench_duration")],
  ];
  return [
    "| figure | value | notes |",
    "|---|---:|---|",
    ...rows.map(([name, value, notes]) => `| ${name} | ${value} | ${notes} |`),
  ].join("\n");
}

/**
 * `digits: CPU per image (ms) | 1.20 + 3.40 | host (main thread 0.80) + Azurite; loop 0.50; 1.1
 * requests per image, 11.0 per mini-batch`: rows in µs, other items in ms.
 */
function costRow(scenario: string, cost: ItemCost, verdict?: string): Row {
  const micro = cost.item === "row";
  const unit = micro ? "µs" : "ms";
  const value = (us: number | undefined) => (us === undefined ? "n/a" : (micro ? us : us / 1000).toFixed(2));
  const loop =
    cost.baseline_cpu_us_per_item === undefined ? "" : `; loop ${value(cost.baseline_cpu_us_per_item)}`;
  const requests = `${cost.requests_per_item.toFixed(micro ? 4 : 2)} requests per ${cost.item}, ${ms(cost.requests_per_minibatch)} per mini-batch`;
  return [
    `${scenario}: CPU per ${cost.item} (${unit})`,
    `${value(cost.host_cpu_us_per_item)} + ${value(cost.azurite_cpu_us_per_item)}`,
    `host (main thread ${value(cost.host_main_thread_cpu_us_per_item)}) + Azurite${loop}; ${requests}${verdict ? `; ${verdict}` : ""}`,
  ];
}

function target(results: BenchResults, key: TargetKey): string {
  const check = results.targets.find((candidate) => candidate.key === key);
  return check ? `target ${check.target}: ${check.met ? "met" : "**not met**"}` : "";
}

function int(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

function ratio(value: number): string {
  return value.toFixed(2);
}

function sec(value: number): string {
  return value.toFixed(2);
}

function cpuNote(host: number | undefined, azurite: number | undefined): string {
  return host === undefined || azurite === undefined
    ? ""
    : `; CPU ${ms(host)} + ${ms(azurite)} ms (host + Azurite)`;
}

function requestsNote(requests: number | undefined): string {
  return requests === undefined ? "" : `; ${ms(requests)} requests`;
}

function ms(value: number | undefined): string {
  return value === undefined ? "n/a" : value.toFixed(1);
}
