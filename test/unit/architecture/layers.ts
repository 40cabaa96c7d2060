/**
 * The layers of the design (README, Layout) as the import-graph test checks them. A *module* is a
 * folder under src/ (`src/jobs/...` is `jobs`), `errors` (src/errors.ts), `config` (src/config.ts),
 * `functions` (functions/) or `bench` (bench/).
 */

/** Bottom first. A module imports modules of lower rows only, never one of its own row or above. */
export const LAYERS: readonly (readonly string[])[] = [
  ["errors", "spec"],
  ["config"],
  ["storage", "auth"],
  ["io"],
  ["scoring", "registry"],
  ["jobs"],
  ["api"],
  ["app"],
  ["functions", "cli", "local-host", "monitor"],
  ["bench"],
];

/**
 * Rows whose modules may import each other (a circle between files is still refused): errors.ts and
 * spec/ are one vocabulary: spec's parsers throw batchfn's errors, and an error carries the job log
 * lines (spec/log-record.schema.ts) captured while the failing work ran.
 */
export const MUTUAL_ROWS: readonly (readonly string[])[] = [["errors", "spec"]];

/**
 * Modules that, whatever their row, import only these. The CLI and the monitor page talk to the
 * server through HTTP and the wire schemas of spec/; the local host emulates the Functions host and
 * needs only the storage clients, settings and keys below it (it loads the app through functions/).
 */
export const ONLY_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  cli: ["spec", "errors"],
  monitor: ["spec", "errors"],
  "local-host": ["errors", "spec", "config", "storage", "auth"],
};

/** Modules that other modules reach only through these files (their public surface). */
export const SURFACES: Readonly<Record<string, readonly string[]>> = {
  "local-host": ["src/local-host/index.ts"],
};
