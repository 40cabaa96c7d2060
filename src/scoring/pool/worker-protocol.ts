import { MessagePort } from "node:worker_threads";
import { z } from "zod";
import type { OutputPiece } from "../../io/output/output-pieces.js";
import { VALUE_TYPES } from "../../io/output/row-batch.js";
import type { RunResult } from "../../io/output/scored-rows.js";
import { logRecordSchema } from "../../spec/log-record.schema.js";
import { loggingLevel, outputFormat } from "../../spec/resources.js";
import type { MiniBatchInput, RuntimeSpec } from "../runtime.js";

/**
 * What the scoring pool and its worker threads say to each other. Every message is parsed on
 * arrival: a worker runs user code, so nothing it sends is trusted to have the right shape.
 */

const env = z.record(z.string(), z.string());

export const runtimeSpecSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("script"),
    scriptPath: z.string(),
    scriptName: z.string().optional(),
    modelDir: z.string(),
    outputDir: z.string(),
    env,
  }),
  z.object({ kind: z.literal("onnx"), modelDir: z.string(), outputDir: z.string(), env }),
]) satisfies z.ZodType<RuntimeSpec>;

/** Sent once to every worker (`workerData`). */
export const workerSetupSchema = z.object({
  runtime: runtimeSpecSchema,
  loggingLevel,
  /** Name of the BroadcastChannel on which the pool asks workers to shut their runtime down. */
  controlChannel: z.string(),
  /** The worker's memory limit (`worker_memory_mb`): heap and Buffers together. */
  memoryLimitMb: z.number().int().positive(),
});
export type WorkerSetup = z.infer<typeof workerSetupSchema>;

const miniBatchInputSchema = z.object({
  index: z.number().int().nonnegative(),
  attempt: z.number().int().nonnegative(),
  files: z.array(
    z.object({
      path: z.string(),
      name: z.string(),
      rowOffset: z.number().int().nonnegative(),
      rowCount: z.number().int().nonnegative().optional(),
      data: z.custom<Uint8Array>((value) => value instanceof Uint8Array).optional(),
    }),
  ),
  output: z.object({ format: outputFormat, perFile: z.boolean() }).optional(),
  passThrough: z
    .object({
      keyField: z.string().optional(),
      include: z.array(z.string()).optional(),
      exclude: z.array(z.string()).optional(),
    })
    .optional(),
}) satisfies z.ZodType<MiniBatchInput>;

/** One mini-batch for a worker, with the port its logs and progress go back on. */
export const workerTaskSchema = z.object({ input: miniBatchInputSchema, port: z.instanceof(MessagePort) });
export type WorkerTask = z.infer<typeof workerTaskSchema>;

/** Sent by a worker on the task's port while it works. */
export const progressMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("log"), record: logRecordSchema }),
  z.object({ type: z.literal("phase"), phase: z.enum(["init", "run"]) }),
  /** The worker holds more than its memory limit; the pool stops it. */
  z.object({ type: z.literal("memory"), usedBytes: z.number().nonnegative() }),
]);
export type ProgressMessage = z.infer<typeof progressMessageSchema>;

const runResultSchema = z.object({
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
}) satisfies z.ZodType<RunResult>;

const bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, "must be bytes");

export const outputPieceSchema = z.object({
  file: z.string().optional(),
  rows: z.number().int().nonnegative(),
  columns: z.array(z.string()).optional(),
  types: z.array(z.enum(VALUE_TYPES)).optional(),
  content: z.union([z.string(), bytes]),
  footer: bytes.optional(),
}) satisfies z.ZodType<OutputPiece>;

/** Codes a worker reports for a mini-batch that failed while the worker itself stayed healthy. */
export const workerFailureCode = z.enum(["InvalidScoringScript", "ScriptInitFailed", "ScriptError"]);

/** What a worker answers for one mini-batch. */
export const workerOutcomeSchema = z.discriminatedUnion("ok", [
  z.object({
    ok: z.literal(true),
    threadId: z.number().int(),
    result: runResultSchema,
    /** The rows as output pieces, when the worker wrote them (`result.rows` is then empty). */
    pieces: z.array(outputPieceSchema).optional(),
  }),
  z.object({
    ok: z.literal(false),
    threadId: z.number().int(),
    code: workerFailureCode,
    message: z.string(),
    stack: z.string().optional(),
    /** The `code` of the thrown error when it had one (a BatchfnError of the ONNX runtime). */
    causeCode: z.string().optional(),
    /** Whether this worker holds an initialised runtime after the failure. */
    initialized: z.boolean(),
  }),
]);
export type WorkerOutcome = z.infer<typeof workerOutcomeSchema>;

/** Messages on the pool's BroadcastChannel. */
export const controlMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("shutdown") }),
  z.object({ type: z.literal("shutdown-done"), threadId: z.number().int(), error: z.string().optional() }),
]);
export type ControlMessage = z.infer<typeof controlMessageSchema>;

/** A BroadcastChannel event carrying a control message. */
export const controlEventSchema = z.object({ data: controlMessageSchema });
