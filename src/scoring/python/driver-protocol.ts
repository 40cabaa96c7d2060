import { z } from "zod";
import type { LoggingLevel } from "../log/log-levels.js";

/**
 * The messages between the pool and `driver.py`, newline-delimited JSON on two dedicated pipes
 * (requests on the process's fd 3, answers on its fd 4). Answers are parsed on arrival: the
 * process runs user code, so nothing it sends is trusted to have the right shape.
 */

/** The first request: what to load and how. */
export interface DriverSetup {
  type: "setup";
  /** Absolute path of the `.py` file to import. */
  script: string;
  /** The script's name in messages (`code_configuration.scoring_script`). */
  scriptName: string;
  /** The working directory, put first on `sys.path`. */
  codeDir: string;
  loggingLevel: LoggingLevel;
  /** Memory limit of the process (RLIMIT_DATA: heap and private memory), in MB: `worker_memory_mb`. */
  memoryMb?: number;
  /** Import the script and check its functions, then exit, without calling `init()`. */
  check?: boolean;
}

/** One input of a `run_files` module: the file's local path, the name the user knows it by, its row range. */
export interface DriverItem {
  path: string;
  name: string;
  rowOffset: number;
  rowCount?: number;
}

export type DriverRequest =
  | DriverSetup
  | { type: "run"; files: string[]; items?: DriverItem[] }
  | { type: "shutdown" };

const errorFields = {
  message: z.string(),
  traceback: z.string().optional(),
};

export const driverAnswerSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  z.object({
    type: z.literal("log"),
    level: z.enum(["debug", "info", "warning", "error"]),
    message: z.string(),
    stream: z.string(),
  }),
  z.object({
    type: z.literal("result"),
    count: z.number().int().nonnegative(),
    /** A DataFrame: its column names and every row's cells as Python text (`str`, NaN/None empty). */
    table: z.object({ columns: z.array(z.string()), cells: z.array(z.array(z.string())) }).optional(),
    /** A list: `str` of each element. */
    lines: z.array(z.string()).optional(),
  }),
  /** What a `run_files` module returns: the engine's own result (rows, and the items that failed alone). */
  z.object({
    type: z.literal("items-result"),
    rows: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])),
    succeededItems: z.number().int().nonnegative(),
    failedItems: z.array(
      z.object({
        item: z.string(),
        count: z.number().int().nonnegative(),
        code: z.string(),
        message: z.string(),
      }),
    ),
    /** The rows of each scored file, in order (no-code MLflow driver). */
    fileRows: z.array(z.object({ file: z.string(), rows: z.number().int().nonnegative() })).optional(),
    /** The numpy dtype of each prediction column (no-code MLflow driver). */
    columnTypes: z.record(z.string(), z.string()).optional(),
  }),
  z.object({ type: z.literal("error"), phase: z.enum(["init", "run"]), ...errorFields }),
  z.object({ type: z.literal("shutdown-done"), message: z.string().optional() }),
]);
export type DriverAnswer = z.infer<typeof driverAnswerSchema>;
export type DriverResult = Extract<DriverAnswer, { type: "result" }>;
export type DriverError = Extract<DriverAnswer, { type: "error" }>;
