import { z } from "zod";
import { errors } from "../../errors.js";
import { EventType, type HistoryEvent } from "./history.js";
import type { InstanceRecord, OpenTask, RuntimeStatus } from "./instance.js";
import { type ControlMessage, controlMessageSchema, type Outbound, outboundSchema } from "./messages.js";
import { retryOptionsSchema } from "./orchestrator-state.js";

/**
 * What the local Durable backend persists of one instance: the episode loop's record (history, open
 * tasks, retries) plus the host's own bookkeeping. One JSON blob per instance; `version` grows by one
 * with every commit and is mirrored in the blob's metadata and the instance's table row.
 */
export interface StoredInstance {
  record: InstanceRecord;
  /** The parent's execution when this is a sub-orchestration: its notification is addressed to it. */
  parentExecutionId?: string;
  /** Messages received while Suspended, delivered on resume. */
  held: ControlMessage[];
  /** Ids of the latest raised events already in history (a redelivered event is not raised twice). */
  seenEvents: string[];
  /** Messages of the latest commit; recovery sends them again when the commit did not finish. */
  outbox: Outbound[];
  /** By open activity task id: how many hosts started it and stopped before it answered. */
  restarts: Record<number, number>;
  version: number;
}

export const RUNTIME_STATUSES = [
  "Pending",
  "Running",
  "Completed",
  "ContinuedAsNew",
  "Failed",
  "Terminated",
  "Suspended",
] as const satisfies readonly RuntimeStatus[];

/** Completed, Failed and Terminated instances take no more messages. */
export function isTerminal(status: RuntimeStatus): boolean {
  return status === "Completed" || status === "Failed" || status === "Terminated";
}

const date = z.coerce.date();

const historyEventSchema: z.ZodType<HistoryEvent> = z.object({
  EventType: z.literal(Object.values(EventType)),
  EventId: z.number(),
  IsPlayed: z.boolean(),
  Timestamp: date,
  Name: z.string().optional(),
  Input: z.string().optional(),
  Result: z.string().optional(),
  Reason: z.string().optional(),
  Details: z.string().optional(),
  TaskScheduledId: z.number().optional(),
  TimerId: z.number().optional(),
  FireAt: date.optional(),
  InstanceId: z.string().optional(),
  OrchestrationInstance: z.object({ InstanceId: z.string(), ExecutionId: z.string() }).optional(),
  ParentInstance: z
    .object({ OrchestrationInstance: z.object({ InstanceId: z.string() }) })
    .nullable()
    .optional(),
});

const retry = z.number().int().optional();
const openTaskSchema: z.ZodType<OpenTask> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("activity"), name: z.string(), input: z.unknown(), retry }),
  z.object({
    kind: z.literal("subOrchestration"),
    name: z.string(),
    instanceId: z.string(),
    input: z.unknown(),
    retry,
  }),
  z.object({ kind: z.literal("timer") }),
  z.object({ kind: z.literal("retryTimer"), retry: z.number().int() }),
]);

const byTaskId = <T extends z.ZodType>(value: T) => z.record(z.string().regex(/^\d+$/), value);

const recordSchema: z.ZodType<InstanceRecord> = z.object({
  instanceId: z.string(),
  executionId: z.string(),
  name: z.string(),
  input: z.unknown(),
  parentInstanceId: z.string().optional(),
  parentTaskId: z.number().int().optional(),
  runtimeStatus: z.enum(RUNTIME_STATUSES),
  createdTime: date,
  lastUpdatedTime: date,
  history: z.array(historyEventSchema),
  customStatus: z.unknown(),
  output: z.unknown(),
  scheduledActions: z.number().int(),
  nextId: z.number().int(),
  actionIds: z.array(z.number().int()),
  openTasks: byTaskId(openTaskSchema),
  retries: byTaskId(z.object({ options: retryOptionsSchema, attempt: z.number().int() })),
  firstAttempts: byTaskId(openTaskSchema),
});

const storedInstanceSchema = z.object({
  record: recordSchema,
  parentExecutionId: z.string().optional(),
  held: z.array(controlMessageSchema),
  seenEvents: z.array(z.string()),
  outbox: z.array(outboundSchema),
  restarts: byTaskId(z.number().int().nonnegative()).default({}),
  version: z.number().int().nonnegative(),
});

/** Serialises a stored instance (Dates become ISO strings). */
export function serializeStoredInstance(stored: StoredInstance): string {
  return JSON.stringify(stored);
}

/** Parses a stored instance blob; `where` names it in the error. */
export function parseStoredInstance(text: string, where: string): StoredInstance {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw errors.corruptRecord(`Durable instance record '${where}' is not JSON.`);
  }
  const parsed = storedInstanceSchema.safeParse(json);
  if (!parsed.success) {
    throw errors.corruptRecord(
      `Durable instance record '${where}' is malformed.`,
      parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    );
  }
  return parsed.data;
}

/** A new stored instance around a record that has not been committed yet. */
export function storedInstance(record: InstanceRecord, parentExecutionId?: string): StoredInstance {
  return { record, parentExecutionId, held: [], seenEvents: [], outbox: [], restarts: {}, version: 0 };
}
