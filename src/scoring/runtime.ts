import type { OutputPiece, OutputRequest } from "../io/output/output-pieces.js";
import type { RunResult } from "../io/output/scored-rows.js";
import type { PassThrough } from "./pass-through/pass-through.js";

/**
 * The contract between the engine and a scoring runtime (a custom script, or the no-code ONNX
 * runtime). A runtime lives inside one worker thread: it is created once (`init`), then runs many
 * mini-batches, then is shut down. Everything here crosses a thread boundary, so it is plain data.
 */

/** The logger a scoring script receives in its context. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What `init` and `run` of a scoring script receive. */
export interface ScoringContext {
  modelDir: string;
  outputDir: string;
  logger: Logger;
  env: Record<string, string>;
  /** The job's named inputs besides the default one: data inputs as local paths, literals as values. */
  inputs: Record<string, string | number | boolean>;
  /** The job's named outputs beyond `score`: local folders whose files become the output's files. */
  outputs: Record<string, string>;
}

/** One local input file of a mini-batch. */
export interface MiniBatchFile {
  /** Local path of the file (or of the file holding just this mini-batch's rows). */
  path: string;
  /** The item's name as the user knows it (its path under the input), used in `file_name`. */
  name: string;
  /** For a row-split tabular item: index of its first row in the original file; otherwise 0. */
  rowOffset: number;
  /** For a row-split tabular item: how many rows it holds; absent for whole files. */
  rowCount?: number;
  /**
   * The file's bytes, when the engine hands a small item over in memory instead of writing it to
   * `path` first: the no-code runtimes parse them as they are; a runtime whose script takes file
   * paths writes them to `path` in its own thread (`placeInMemoryFiles`) before calling it.
   */
  data?: Uint8Array;
}

export interface MiniBatchInput {
  index: number;
  attempt: number;
  files: MiniBatchFile[];
  /**
   * How the rows are written (append_row): the worker then writes them itself and sends back the
   * output pieces instead of the rows, so the work is spread over the workers.
   */
  output?: OutputRequest;
  /** Input columns a no-code runtime copies into each prediction row. */
  passThrough?: PassThrough;
}

/** A runtime's result: `pieces` when it wrote the rows in the output format itself (`rows` is then empty). */
export interface RuntimeResult extends RunResult {
  pieces?: OutputPiece[];
}

/** A scoring runtime, as loaded inside a worker. */
export interface ScoringRuntime {
  /** With `input.output`, a runtime may answer with the rows' output pieces instead of the rows. */
  run(input: MiniBatchInput): Promise<RuntimeResult>;
  shutdown(): Promise<void>;
}

/** Which runtime a worker builds: serialisable, sent to every worker once. */
export type RuntimeSpec =
  | {
      kind: "script";
      scriptPath: string;
      /** The script's name in messages (`code_configuration.scoring_script`); default the file name of `scriptPath`. */
      scriptName?: string;
      modelDir: string;
      outputDir: string;
      env: Record<string, string>;
    }
  | { kind: "onnx"; modelDir: string; outputDir: string; env: Record<string, string> }
  | PythonRuntimeSpec;

/** The runtimes that run inside a worker thread (the Python runtime runs in processes). */
export type ThreadRuntimeSpec = Exclude<RuntimeSpec, PythonRuntimeSpec>;

/**
 * A Python scoring script (`init()` / `run(mini_batch)`), run by `driver.py` in long-lived
 * processes of `interpreter` (see `scoring/python/`). `scriptPath` is the user's script in its code
 * folder, or a module batchfn ships (a no-code model's driver).
 */
export interface PythonRuntimeSpec {
  kind: "python";
  /** The interpreter (`BATCHFN_PYTHON`). */
  interpreter: string;
  /** Absolute path of the `.py` file. */
  scriptPath: string;
  /** The script's name in messages (`code_configuration.scoring_script`). */
  scriptName: string;
  /** The working directory of the processes, first on `sys.path`. */
  codeDir: string;
  modelDir: string;
  outputDir: string;
  /** The deployment's `environment_variables`. */
  env: Record<string, string>;
  /**
   * `run_files` (batchfn's built-in modules): the module's `run_files(items)` is called instead of
   * `run(mini_batch)`, with each file's path, name and row range (Parquet files handed over as typed
   * JSON columns, `mlflow/parquet-handover.ts`), and returns the engine's result itself: `rows`,
   * `succeededItems` and the `failedItems` that failed alone. Default `run`: Azure ML's contract.
   */
  entry?: "run" | "run_files";
}
